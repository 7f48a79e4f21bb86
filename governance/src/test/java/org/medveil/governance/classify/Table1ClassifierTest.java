package org.medveil.governance.classify;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-ACQ-7")
class Table1ClassifierTest {

    private final Table1Classifier classifier = new Table1Classifier();

    private ImagingCategory category(ImagingFacts f) {
        return classifier.classify(f).category();
    }

    @ParameterizedTest(name = "{0} of {1} is {2}")
    @CsvSource({
            // structural: X-ray, CT, ultrasound, MRI of the body
            "CR, CHEST, CLINICAL_STRUCTURAL",
            "DX, HAND, CLINICAL_STRUCTURAL",
            "MG, BREAST, CLINICAL_STRUCTURAL",
            "CT, CHEST, CLINICAL_STRUCTURAL",
            "CT, ABDOMEN, CLINICAL_STRUCTURAL",
            "MR, KNEE, CLINICAL_STRUCTURAL",
            "US, ABDOMEN, CLINICAL_STRUCTURAL",
            "XA, HEART, CLINICAL_STRUCTURAL",
            // functional: nuclear medicine, PET
            "NM, BONE, CLINICAL_FUNCTIONAL",
            "PT, WHOLEBODY, CLINICAL_FUNCTIONAL",
            "PT, BRAIN, CLINICAL_FUNCTIONAL",
            // biometric: head CT/MR shows a face; photographs of biometric traits
            "CT, HEAD, PERSONAL_BIOMETRIC",
            "MR, BRAIN, PERSONAL_BIOMETRIC",
            "CT, HEADNECK, PERSONAL_BIOMETRIC",
            "XC, FACE, PERSONAL_BIOMETRIC",
            "XC, EAR, PERSONAL_BIOMETRIC",
            "XC, HAND, PERSONAL_BIOMETRIC",
            "OP, EYE, PERSONAL_BIOMETRIC",
            // other: optical imaging and unknown
            "OCT, HEART, OTHER",
            "SM, '', OTHER",
            "XC, SKIN, OTHER",
            "ES, COLON, OTHER",
            "SR, '', OTHER",
    })
    void byModalityAndBodyPart(String modality, String bodyPart, ImagingCategory expected) {
        assertEquals(expected, category(ImagingFacts.of(modality, bodyPart)));
    }

    @Test
    void functionalMriIsFunctionalUnlessItShowsAFace() {
        assertEquals(ImagingCategory.CLINICAL_FUNCTIONAL, category(new ImagingFacts("MR", null, "SPINE",
                List.of("ORIGINAL", "PRIMARY", "FMRI"), null, false)));
        assertEquals(ImagingCategory.CLINICAL_FUNCTIONAL, category(new ImagingFacts("MR", null, "",
                null, List.of("BOLD resting state"), false)));
        Classification head = classifier.classify(new ImagingFacts("MR", null, "BRAIN", null,
                List.of("fMRI motor task"), false));
        assertEquals(ImagingCategory.PERSONAL_BIOMETRIC, head.category());
        assertTrue(head.reasons().get(0).contains("can show a face"), head.reasons().toString());
    }

    @Test
    void dopplerUltrasoundIsFunctional() {
        assertEquals(ImagingCategory.CLINICAL_FUNCTIONAL, category(new ImagingFacts("US", null, "CAROTID",
                null, null, true)));
        assertEquals(ImagingCategory.CLINICAL_FUNCTIONAL, category(new ImagingFacts("US", null, "LEG",
                null, List.of("Venous Doppler left leg"), false)));
        assertEquals(ImagingCategory.CLINICAL_STRUCTURAL, category(new ImagingFacts("US", null, "LIVER",
                null, List.of("B-mode liver"), false)));
    }

    @Test
    void otherImagingIsRecognisedFromItsDescription() {
        Classification eit = classifier.classify(new ImagingFacts("OT", null, "CHEST", null,
                List.of("EIT lung ventilation"), false));
        assertEquals(ImagingCategory.OTHER, eit.category());
        assertTrue(eit.reasons().get(0).contains("eit"), eit.reasons().toString());
        assertEquals(ImagingCategory.OTHER, category(new ImagingFacts("OT", null, "BREAST", null,
                List.of("微波成像"), false)));
        // "eit" inside another word is not impedance imaging
        assertTrue(classifier.classify(new ImagingFacts("OT", null, "", null, List.of("deities"), false))
                .reasons().get(0).contains("not a recognised"));
    }

    @Test
    void aDescriptionNamingABiometricTraitIsBiometric() {
        assertEquals(ImagingCategory.PERSONAL_BIOMETRIC, category(new ImagingFacts("OT", null, "", null,
                List.of("Fingerprint scan"), false)));
        assertEquals(ImagingCategory.PERSONAL_BIOMETRIC, category(new ImagingFacts("XC", null, "", null,
                List.of("面部照片"), false)));
        // "surface" contains "face" but names no trait
        assertEquals(ImagingCategory.CLINICAL_STRUCTURAL, category(new ImagingFacts("CT", null, "ABDOMEN", null,
                List.of("surface rendering"), false)));
    }
}
