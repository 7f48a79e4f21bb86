package org.medveil.governance.policy;

/**
 * Attribute checks (ABAC, REQ-STO-4) a rule of the {@link PolicyTable} can require on top of the
 * role and grade. Each has an id used in rule ids and a short text for the README matrix.
 */
public enum Condition {
    /** Only de-identified derivatives, never originals, are selectable for joint modeling. */
    DERIVATIVE_ONLY("derivative", "a derivative"),
    /** The access runs under a use request the data manager approved (REQ-USE-1). */
    APPROVED_USE("approved-use", "an approved use"),
    /** A fresh consent decision permits the request's purpose (REQ-ACQ-3). */
    CONSENT_FOR_PURPOSE("consent", "consent for the purpose"),
    /** A fresh consent decision permits the purpose with sharing in joint modeling (REQ-ACQ-3). */
    CONSENT_FOR_JOINT_MODELING("consent-joint-modeling", "consent for the purpose and joint modeling"),
    /** A personal biometric image only once it cannot be re-identified (grade 1–2, clause 5.1.2e). */
    BIOMETRIC_DEIDENTIFIED("not-biometric", "not a personal biometric image (Table 1) that may still be re-identified"),
    /** A data manager approved the destruction; a second one when configured (REQ-DEL-2). */
    DESTRUCTION_APPROVED("destruction-approval", "a data manager's approval (a second person's when configured)");

    private final String id;
    private final String text;

    Condition(String id, String text) {
        this.id = id;
        this.text = text;
    }

    public String id() {
        return id;
    }

    public String text() {
        return text;
    }
}
