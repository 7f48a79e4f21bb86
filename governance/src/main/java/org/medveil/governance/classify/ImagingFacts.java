package org.medveil.governance.classify;

import java.util.List;
import java.util.Locale;

/**
 * The header facts Table 1 classification looks at, taken from a DICOM object: Modality
 * (0008,0060), SOP Class UID (0008,0016), Body Part Examined (0018,0015), Image Type (0008,0008),
 * the study/series descriptions and protocol name, and Ultrasound Color Data Present
 * (0028,0014). None of these identify a patient.
 */
public record ImagingFacts(String modality, String sopClassUid, String bodyPart, List<String> imageType,
                           List<String> descriptions, boolean ultrasoundColorData) {

    public ImagingFacts {
        modality = norm(modality);
        bodyPart = norm(bodyPart);
        sopClassUid = sopClassUid == null ? "" : sopClassUid.trim();
        imageType = imageType == null ? List.of() : imageType.stream().map(ImagingFacts::norm).toList();
        descriptions = descriptions == null ? List.of()
                : descriptions.stream().filter(d -> d != null && !d.isBlank()).map(d -> d.toLowerCase(Locale.ROOT)).toList();
    }

    public static ImagingFacts of(String modality, String bodyPart) {
        return new ImagingFacts(modality, null, bodyPart, null, null, false);
    }

    private static String norm(String s) {
        return s == null ? "" : s.trim().toUpperCase(Locale.ROOT);
    }
}
