package org.medveil.he;

/**
 * The committed key setup refused a public-key share or a public key: the collective key is not
 * provably the sum of one committed, signed share per expected party. {@link #reason()} says
 * which check failed and {@link #party()} names the party at fault when there is one.
 */
public class KeySetupException extends HeException {
    private static final long serialVersionUID = 1L;

    /** The check that failed. */
    public enum Reason {
        /** A party asked to reveal before every expected party had committed. */
        NOT_ALL_COMMITTED,
        /** A commitment or share from a party that is not one of the expected parties. */
        UNEXPECTED_PARTY,
        /** An expected party's commitment or share is missing. */
        MISSING_PARTY,
        /** A party committed or revealed twice. */
        DUPLICATE,
        /** A commitment or share signature does not verify for its party. */
        BAD_SIGNATURE,
        /** A revealed share does not match the party's commitment (the rogue-key attack). */
        COMMITMENT_MISMATCH,
        /** A share or commitment belongs to another job, parameter set or common seed. */
        WRONG_CONTEXT,
        /** The announced collective key differs from the one recomputed from the revealed shares. */
        KEY_ID_MISMATCH
    }

    private final Reason reason;
    private final String party;

    public KeySetupException(Reason reason, String party, String message) {
        super(message);
        this.reason = reason;
        this.party = party;
    }

    public KeySetupException(Reason reason, String party, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.party = party;
    }

    public Reason reason() {
        return reason;
    }

    /** The party at fault, or null when the failure is not one party's. */
    public String party() {
        return party;
    }
}
