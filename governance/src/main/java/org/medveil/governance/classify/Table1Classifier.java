package org.medveil.governance.classify;

import org.medveil.governance.text.Keywords;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Assigns each object its Table 1 category (REQ-ACQ-7). Rules are checked from the most
 * sensitive category down, and every rule that fires is kept as a reason:
 * <ol>
 *   <li>biometric: photographs of the face, ear, hand or eye, head CT/MR that can show a face
 *       (a surface rendering reconstructs it), or a description naming a biometric trait;</li>
 *   <li>functional: nuclear medicine and PET, functional MRI, Doppler ultrasound;</li>
 *   <li>structural: radiography, CT, MRI, ultrasound and the other X-ray modalities;</li>
 *   <li>other: optical, impedance and microwave imaging, and anything not recognised.</li>
 * </ol>
 */
public final class Table1Classifier {

    /** Body parts (DICOM PS3.16 CID 4031 code values) whose CT/MR volume includes the face. */
    static final Set<String> FACE_BEARING_PARTS = Set.of("HEAD", "BRAIN", "SKULL", "FACE", "HEADNECK", "ORBIT",
            "SINUS", "JAW", "MAXILLA", "MANDIBLE", "NOSE", "TMJ");
    /** Body parts whose photograph is a biometric trait: face, auricle, palm print, fingerprint, iris. */
    static final Set<String> BIOMETRIC_PHOTO_PARTS = Set.of("FACE", "HEAD", "EAR", "HAND", "FINGER", "EYE");
    static final Set<String> VOLUME_MODALITIES = Set.of("CT", "MR");
    static final Set<String> PHOTO_MODALITIES = Set.of("XC", "OP", "VL", "ES", "GM");
    static final List<String> BIOMETRIC_WORDS = List.of("face", "facial", "fingerprint", "palm print", "palmprint",
            "iris", "auricle", "voiceprint", "面部", "人脸", "指纹", "掌纹", "虹膜", "耳廓", "声纹");

    static final Set<String> FUNCTIONAL_MODALITIES = Set.of("NM", "PT");
    static final List<String> FMRI_WORDS = List.of("fmri", "bold", "functional", "功能");
    static final List<String> DOPPLER_WORDS = List.of("doppler", "color flow", "colour flow", "cfm", "多普勒");

    static final Set<String> STRUCTURAL_MODALITIES = Set.of("CR", "DX", "MG", "IO", "PX", "RF", "XA", "CT",
            "MR", "US", "BMD", "RG", "DF", "DS", "CD", "TG");
    static final Set<String> OPTICAL_MODALITIES = Set.of("OCT", "OPT", "OP", "OPM", "OAM", "SM", "ES", "GM", "XC",
            "IVOCT", "VL", "OSS");
    static final List<String> OTHER_WORDS = List.of("impedance", "eit", "microwave", "阻抗", "微波", "光学");

    public Classification classify(ImagingFacts f) {
        List<String> reasons = new ArrayList<>();
        if (PHOTO_MODALITIES.contains(f.modality()) && BIOMETRIC_PHOTO_PARTS.contains(f.bodyPart())) {
            reasons.add("photograph (" + f.modality() + ") of " + f.bodyPart() + " shows a biometric trait");
        }
        if (VOLUME_MODALITIES.contains(f.modality()) && FACE_BEARING_PARTS.contains(f.bodyPart())) {
            reasons.add(f.modality() + " of " + f.bodyPart() + " can show a face (surface rendering)");
        }
        String word = firstWord(f.descriptions(), BIOMETRIC_WORDS);
        if (word != null) {
            reasons.add("description names a biometric trait ('" + word + "')");
        }
        if (!reasons.isEmpty()) {
            return new Classification(ImagingCategory.PERSONAL_BIOMETRIC, reasons);
        }

        if (FUNCTIONAL_MODALITIES.contains(f.modality())) {
            reasons.add("nuclear medicine / PET (" + f.modality() + ")");
        }
        if ("MR".equals(f.modality()) && (f.imageType().contains("FMRI")
                || firstWord(f.descriptions(), FMRI_WORDS) != null)) {
            reasons.add("functional MRI");
        }
        if ("US".equals(f.modality()) && (f.ultrasoundColorData() || f.imageType().contains("DOPPLER")
                || firstWord(f.descriptions(), DOPPLER_WORDS) != null)) {
            reasons.add("Doppler ultrasound");
        }
        if (!reasons.isEmpty()) {
            return new Classification(ImagingCategory.CLINICAL_FUNCTIONAL, reasons);
        }

        if (STRUCTURAL_MODALITIES.contains(f.modality())) {
            return new Classification(ImagingCategory.CLINICAL_STRUCTURAL,
                    List.of("anatomical imaging modality " + f.modality()));
        }
        if (OPTICAL_MODALITIES.contains(f.modality())) {
            return new Classification(ImagingCategory.OTHER, List.of("optical imaging modality " + f.modality()));
        }
        word = firstWord(f.descriptions(), OTHER_WORDS);
        if (word != null) {
            return new Classification(ImagingCategory.OTHER, List.of("description names '" + word + "' imaging"));
        }
        return new Classification(ImagingCategory.OTHER, List.of("modality '" + f.modality()
                + "' is not a recognised clinical imaging modality"));
    }

    private static String firstWord(List<String> descriptions, List<String> words) {
        for (String d : descriptions) {
            for (String w : words) {
                if (Keywords.mentions(d, w)) {
                    return w;
                }
            }
        }
        return null;
    }
}
