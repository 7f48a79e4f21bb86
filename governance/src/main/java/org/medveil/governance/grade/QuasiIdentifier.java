package org.medveil.governance.grade;

/** Groups of indirect identifiers a de-identification may keep (the Annex E "retain" options). */
public enum QuasiIdentifier {
    DATES("full or modified dates"),
    DEVICE("device identity"),
    INSTITUTION("institution identity"),
    PATIENT_CHARACTERISTICS("patient characteristics (age, sex, size, weight)"),
    FACE("a recognisable face in the pixel data");

    private final String description;

    QuasiIdentifier(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
