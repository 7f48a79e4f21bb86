package org.medveil.dicom.deid;

/**
 * The action codes of PS3.15 Table E.1-1. The combined codes (X/Z, X/D, Z/D, X/Z/D, X/Z/U*) mean
 * "the first, unless the IOD's attribute type needs the next to stay conformant".
 */
public enum Action {
    /** Replace with a non-zero length dummy value consistent with the VR. */
    D("D"),
    /** Replace with a zero length value (or a dummy). */
    Z("Z"),
    /** Remove. */
    X("X"),
    /** Keep (sequences: and de-identify their items). */
    K("K"),
    /** Clean: replace with values of similar meaning known not to identify. */
    C("C"),
    /** Replace a UID with a consistent substitute. */
    U("U"),
    X_Z("X/Z"),
    X_D("X/D"),
    Z_D("Z/D"),
    X_Z_D("X/Z/D"),
    /** X unless Z, or keeping the sequence with its UIDs replaced, is needed. */
    X_Z_U("X/Z/U*");

    private final String code;

    Action(String code) { this.code = code; }

    public String code() { return code; }

    public boolean combined() { return code.indexOf('/') >= 0; }

    public static Action parse(String code) {
        for (Action a : values()) {
            if (a.code.equals(code)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown Annex E action '" + code + "'; expected one of D Z X K C U "
                + "X/Z X/D Z/D X/Z/D X/Z/U*");
    }

    /**
     * The single action a combined code resolves to when the attribute's type in the object's IOD
     * is not known. We keep the attribute with no information in it (Z or D) rather than remove it:
     * that satisfies Type 1 and Type 2 requirements of every IOD the attribute can appear in, and
     * an empty or dummy value discloses no more than a removed one. Among Z and D, D wins when
     * present because some IODs make the attribute Type 1 (a value is required).
     */
    public Action resolveConservatively() {
        return switch (this) {
            case X_Z -> Z;
            case X_D, Z_D, X_Z_D -> D;
            case X_Z_U -> U;
            default -> this;
        };
    }
}
