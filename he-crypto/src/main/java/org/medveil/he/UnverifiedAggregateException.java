package org.medveil.he;

/**
 * A key holder refused to answer because the aggregate it was asked to decrypt is not proven to
 * be the sum of enough signed contributions of this job, round and chunk. No share was given.
 * {@link #reason()} says which check failed; {@link #site()} and {@link #position()} say where
 * when that applies (they are -1 / null otherwise). Messages name sites, chunks and coefficient
 * positions, never values.
 */
public class UnverifiedAggregateException extends HeException {
    private static final long serialVersionUID = 1L;

    /** The check that failed. */
    public enum Reason {
        /** A contribution's (statement's) signature does not verify under its site's certificate. */
        BAD_SIGNATURE,
        /** A contribution is signed by a site that is not a participant of this job, or by an unknown certificate. */
        UNKNOWN_SITE,
        /** Two contributions of the list come from the same site. */
        DUPLICATE_SITE,
        /** The list carries fewer signed contributions than this holder's minimum. */
        TOO_FEW,
        /** A contribution or response is for another job, round or chunk than the request. */
        WRONG_ROUND,
        /** An opened block does not hash to the root its site signed. */
        PROOF_INVALID,
        /** At a checked coefficient position the aggregate is not the sum of the contributions. */
        SUM_MISMATCH,
        /** The aggregate's secret sketch is not the sum of its contributions' signed sketches, or one is missing. */
        SKETCH_MISMATCH,
        /** The aggregate's value count or bound is not what its contributions add up to. */
        HEADER_MISMATCH,
        /** The response does not answer the challenge (missing, extra or malformed openings). */
        MALFORMED_RESPONSE,
        /** A listed record is not one its site's signed statement covers (altered, swapped or missing records). */
        NOT_COVERED,
        /** A share was requested for a ciphertext that was never verified (the ledger is verified-only). */
        NOT_VERIFIED
    }

    private final Reason reason;
    private final String site;
    private final int position;

    public UnverifiedAggregateException(Reason reason, String site, int position, String message) {
        super(message);
        this.reason = reason;
        this.site = site;
        this.position = position;
    }

    public UnverifiedAggregateException(Reason reason, String site, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.site = site;
        this.position = -1;
    }

    public Reason reason() {
        return reason;
    }

    /** The site at fault, or null. */
    public String site() {
        return site;
    }

    /** The coefficient position at fault (SUM_MISMATCH), or -1. */
    public int position() {
        return position;
    }
}
