package org.medveil.governance.classify;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.SequenceElement;
import org.medveil.governance.grade.GradeFacts;
import org.medveil.governance.grade.QuasiIdentifier;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the facts classification and grading need from a DICOM data set. Only attribute
 * keywords, codes and flags leave here; identifier values are looked at (present or not) but
 * never copied out.
 */
public final class DicomFacts {

    private static final int MODALITY = 0x00080060;
    private static final int SOP_CLASS_UID = 0x00080016;
    private static final int BODY_PART_EXAMINED = 0x00180015;
    private static final int IMAGE_TYPE = 0x00080008;
    private static final int ULTRASOUND_COLOR_DATA_PRESENT = 0x00280014;
    private static final int PATIENT_IDENTITY_REMOVED = 0x00120062;
    private static final int DEID_METHOD_CODE_SEQUENCE = 0x00120064;
    private static final int CODE_VALUE = 0x00080100;
    private static final int ADMITTING_DIAGNOSES_CODE_SEQUENCE = 0x00081084;

    /** Free-text attributes that may describe the procedure or name a disease. */
    private static final int[] DESCRIPTIONS = {
            0x00081030, // Study Description
            0x0008103E, // Series Description
            0x00181030, // Protocol Name
            0x00081080, // Admitting Diagnoses Description
            0x00321060, // Requested Procedure Description
            0x00401002, // Reason for the Requested Procedure
            0x00400254, // Performed Procedure Step Description
    };

    /** Attributes that identify a person directly, by keyword (a subset of PS3.15 Table E.1-1). */
    static final Map<Integer, String> DIRECT_IDENTIFIERS = Map.ofEntries(
            Map.entry(0x00100010, "PatientName"),
            Map.entry(0x00100020, "PatientID"),
            Map.entry(0x00101000, "OtherPatientIDs"),
            Map.entry(0x00101001, "OtherPatientNames"),
            Map.entry(0x00101002, "OtherPatientIDsSequence"),
            Map.entry(0x00101005, "PatientBirthName"),
            Map.entry(0x00101040, "PatientAddress"),
            Map.entry(0x00102154, "PatientTelephoneNumbers"),
            Map.entry(0x00101060, "PatientMotherBirthName"),
            Map.entry(0x00100030, "PatientBirthDate"),
            Map.entry(0x00080050, "AccessionNumber"),
            Map.entry(0x00100050, "PatientInsurancePlanCodeSequence"),
            Map.entry(0x00380010, "AdmissionID"),
            Map.entry(0x00101090, "MedicalRecordLocator"));

    /** CID 7050 option codes that keep quasi-identifiers, and which ones. */
    private static final Map<String, QuasiIdentifier> RETAIN_OPTIONS = Map.of(
            "113106", QuasiIdentifier.DATES,        // Retain Longitudinal Temporal Information Full Dates
            "113107", QuasiIdentifier.DATES,        // ... Modified Dates
            "113108", QuasiIdentifier.PATIENT_CHARACTERISTICS,
            "113109", QuasiIdentifier.DEVICE,
            "113112", QuasiIdentifier.INSTITUTION);
    private static final String CLEAN_RECOGNIZABLE_VISUAL_FEATURES = "113102";

    private DicomFacts() {
    }

    public static ImagingFacts imagingFacts(DataSet ds) {
        return new ImagingFacts(ds.getString(MODALITY), ds.getString(SOP_CLASS_UID), ds.getString(BODY_PART_EXAMINED),
                ds.getStrings(IMAGE_TYPE), descriptions(ds), ds.getInt(ULTRASOUND_COLOR_DATA_PRESENT, 0) == 1);
    }

    /**
     * @param category       the object's Table 1 category: biometric images keep a face unless the
     *                       Clean Recognizable Visual Features option was applied
     * @param declaredPublic the owner declared the object public
     */
    public static GradeFacts gradeFacts(DataSet ds, ImagingCategory category, boolean declaredPublic) {
        Set<String> direct = new LinkedHashSet<>();
        for (var e : DIRECT_IDENTIFIERS.entrySet()) {
            if (present(ds, e.getKey())) {
                direct.add(e.getValue());
            }
        }
        boolean deidentified = "YES".equalsIgnoreCase(ds.getString(PATIENT_IDENTITY_REMOVED));
        Set<String> methodCodes = codes(ds, DEID_METHOD_CODE_SEQUENCE);
        Set<QuasiIdentifier> quasi = EnumSet.noneOf(QuasiIdentifier.class);
        if (deidentified) {
            methodCodes.stream().map(RETAIN_OPTIONS::get).filter(q -> q != null).forEach(quasi::add);
            if (category == ImagingCategory.PERSONAL_BIOMETRIC && !methodCodes.contains(CLEAN_RECOGNIZABLE_VISUAL_FEATURES)) {
                quasi.add(QuasiIdentifier.FACE);
            }
        }
        return new GradeFacts(direct, deidentified, quasi, List.copyOf(codes(ds, ADMITTING_DIAGNOSES_CODE_SEQUENCE)),
                descriptions(ds), declaredPublic);
    }

    private static boolean present(DataSet ds, int tag) {
        if (ds.getSequence(tag) != null) {
            return ds.getSequence(tag).size() > 0;
        }
        byte[] v = ds.getBytes(tag);
        if (v == null) {
            return false;
        }
        for (byte b : v) {
            if (b != ' ' && b != 0) {
                return true;
            }
        }
        return false;
    }

    private static List<String> descriptions(DataSet ds) {
        List<String> out = new ArrayList<>();
        for (int tag : DESCRIPTIONS) {
            String s = ds.getString(tag);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    private static Set<String> codes(DataSet ds, int sequenceTag) {
        Set<String> out = new LinkedHashSet<>();
        SequenceElement sq = ds.getSequence(sequenceTag);
        if (sq != null) {
            for (DataSet item : sq.items()) {
                String v = item.getString(CODE_VALUE);
                if (v != null) {
                    out.add(v.trim());
                }
            }
        }
        return out;
    }
}
