package org.medveil.dicom.deid;

/**
 * The options of the Basic Application Level Confidentiality Profile (PS3.15 E.3), each with its
 * CID 7050 code (DCM coding scheme) and, where Table E.1-1 has one, its column id in
 * {@code annex-e.tsv}. The two pixel options have no column: they are carried out by occlusion.
 */
public enum ProfileOption {
    CLEAN_PIXEL_DATA("clean-pixel-data", null, "113101", "Clean Pixel Data Option"),
    CLEAN_RECOGNIZABLE_VISUAL_FEATURES("clean-recognizable-visual-features", null, "113102",
            "Clean Recognizable Visual Features Option"),
    CLEAN_GRAPHICS("clean-graphics", "graphics", "113103", "Clean Graphics Option"),
    CLEAN_STRUCTURED_CONTENT("clean-structured-content", "structured-content", "113104",
            "Clean Structured Content Option"),
    CLEAN_DESCRIPTORS("clean-descriptors", "descriptors", "113105", "Clean Descriptors Option"),
    RETAIN_LONGITUDINAL_FULL_DATES("retain-longitudinal-full-dates", "full-dates", "113106",
            "Retain Longitudinal Temporal Information Full Dates Option"),
    RETAIN_LONGITUDINAL_MODIFIED_DATES("retain-longitudinal-modified-dates", "modified-dates", "113107",
            "Retain Longitudinal Temporal Information Modified Dates Option"),
    RETAIN_PATIENT_CHARACTERISTICS("retain-patient-characteristics", "characteristics", "113108",
            "Retain Patient Characteristics Option"),
    RETAIN_DEVICE_IDENTITY("retain-device-identity", "device", "113109", "Retain Device Identity Option"),
    RETAIN_UIDS("retain-uids", "uids", "113110", "Retain UIDs Option"),
    RETAIN_SAFE_PRIVATE("retain-safe-private", "safe-private", "113111", "Retain Safe Private Option"),
    RETAIN_INSTITUTION_IDENTITY("retain-institution-identity", "institution", "113112",
            "Retain Institution Identity Option");

    /** CID 7050 code of the Basic Profile itself. */
    public static final String BASIC_PROFILE_CODE = "113100";
    public static final String BASIC_PROFILE_MEANING = "Basic Application Confidentiality Profile";

    private final String id;
    private final String column;
    private final String code;
    private final String meaning;

    ProfileOption(String id, String column, String code, String meaning) {
        this.id = id;
        this.column = column;
        this.code = code;
        this.meaning = meaning;
    }

    /** Id used in profile files, e.g. {@code retain-uids}. */
    public String id() { return id; }

    /** Column id in annex-e.tsv, or null for the pixel options. */
    public String column() { return column; }

    public String code() { return code; }

    public String meaning() { return meaning; }

    public static ProfileOption fromId(String id) {
        for (ProfileOption o : values()) {
            if (o.id.equals(id)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown de-identification option '" + id + "'; known: "
                + java.util.Arrays.stream(values()).map(ProfileOption::id).toList());
    }

    static ProfileOption fromColumn(String column) {
        for (ProfileOption o : values()) {
            if (column.equals(o.column)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown option column '" + column + "' in annex-e.tsv");
    }
}
