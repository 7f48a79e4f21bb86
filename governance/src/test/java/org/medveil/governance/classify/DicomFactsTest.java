package org.medveil.governance.classify;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomReader;
import org.medveil.testsupport.External;
import org.medveil.governance.grade.GradeFacts;
import org.medveil.governance.grade.Grader;
import org.medveil.governance.grade.QuasiIdentifier;
import org.medveil.governance.grade.SensitivityLevel;
import org.medveil.governance.grade.SpecialDiseaseList;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-ACQ-7")
@Tag("REQ-GRADE-1")
class DicomFactsTest {

    private final Table1Classifier classifier = new Table1Classifier();
    private final Grader grader = new Grader(SpecialDiseaseList.defaults());

    @Test
    void realCtAndMrFilesAreStructuralAndIdentifiedOnesAreLevel4() throws Exception {
        DataSet ct = new DicomReader().read(External.pydicomTestFile("CT_small.dcm")).dataSet();
        ImagingFacts f = DicomFacts.imagingFacts(ct);
        assertEquals("CT", f.modality());
        assertEquals(ImagingCategory.CLINICAL_STRUCTURAL, classifier.classify(f).category());
        GradeFacts g = DicomFacts.gradeFacts(ct, ImagingCategory.CLINICAL_STRUCTURAL, false);
        assertTrue(g.directIdentifiers().contains("PatientName"), g.directIdentifiers().toString());
        assertFalse(g.deidentified());
        assertEquals(SensitivityLevel.L4, grader.grade(g).level());

        DataSet mr = new DicomReader().read(External.pydicomTestFile("MR_small.dcm")).dataSet();
        assertEquals("MR", DicomFacts.imagingFacts(mr).modality());
    }

    private static DataSet deidentifiedHeadCt(String... methodCodes) {
        DataSet ds = new DataSet();
        ds.putString(0x00080060, VR.CS, "CT");
        ds.putString(0x00180015, VR.CS, "HEAD");
        ds.putString(0x00120062, VR.CS, "YES");
        ds.putString(0x00100010, VR.PN, "");   // emptied by the profile: not an identifier
        var seq = ds.newSequence(0x00120064, false);
        for (String code : methodCodes) {
            DataSet item = seq.addItem();
            item.putString(0x00080100, VR.SH, code);
            item.putString(0x00080102, VR.SH, "DCM");
        }
        return ds;
    }

    @Test
    void aDeidentifiedHeadCtKeepsAFaceUnlessVisualFeaturesWereCleaned() {
        DataSet kept = deidentifiedHeadCt("113100");
        Classification c = classifier.classify(DicomFacts.imagingFacts(kept));
        assertEquals(ImagingCategory.PERSONAL_BIOMETRIC, c.category());
        GradeFacts g = DicomFacts.gradeFacts(kept, c.category(), false);
        assertEquals(Set.of(QuasiIdentifier.FACE), g.quasiIdentifiers());
        assertTrue(g.directIdentifiers().isEmpty(), g.directIdentifiers().toString());
        assertEquals(SensitivityLevel.L3, grader.grade(g).level());

        DataSet cleaned = deidentifiedHeadCt("113100", "113102");
        assertEquals(SensitivityLevel.L2, grader.grade(DicomFacts.gradeFacts(cleaned, c.category(), false)).level());
    }

    @Test
    void retainOptionsInTheMethodCodeSequenceBecomeQuasiIdentifiers() {
        DataSet ds = deidentifiedHeadCt("113100", "113102", "113106", "113109", "113112", "113108");
        GradeFacts g = DicomFacts.gradeFacts(ds, ImagingCategory.PERSONAL_BIOMETRIC, false);
        assertEquals(Set.of(QuasiIdentifier.DATES, QuasiIdentifier.DEVICE, QuasiIdentifier.INSTITUTION,
                QuasiIdentifier.PATIENT_CHARACTERISTICS), g.quasiIdentifiers());
    }

    @Test
    void admittingDiagnosisCodesReachTheGrader() {
        DataSet ds = deidentifiedHeadCt("113100", "113102");
        ds.newSequence(0x00081084, false).addItem().putString(0x00080100, VR.SH, "B20");
        assertEquals(SensitivityLevel.L5, grader.grade(DicomFacts.gradeFacts(ds, ImagingCategory.CLINICAL_STRUCTURAL,
                false)).level());
    }
}
