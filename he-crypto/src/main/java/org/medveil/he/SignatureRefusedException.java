package org.medveil.he;

/**
 * Thrown by a {@code ContributionVerifier}: a site's signature on a message of this module does
 * not verify, or the credential behind it does not belong to that site of this project.
 */
public class SignatureRefusedException extends HeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** The signature does not verify under the site's key. */
        BAD_SIGNATURE,
        /** The signer is unknown: no credential for the site, another CA, another site or project, expired or revoked. */
        UNKNOWN_SIGNER
    }

    private final Reason reason;

    public SignatureRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SignatureRefusedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
