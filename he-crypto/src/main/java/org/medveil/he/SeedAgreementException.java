package org.medveil.he;

/** The commit-reveal seed agreement found a missing, extra or non-matching reveal. */
public class SeedAgreementException extends HeException {
    private static final long serialVersionUID = 1L;

    public SeedAgreementException(String message) {
        super(message);
    }
}
