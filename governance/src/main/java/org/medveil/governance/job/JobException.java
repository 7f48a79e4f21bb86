package org.medveil.governance.job;

/**
 * A signed job that must not be used, with what is wrong as a {@link Problem} and a message that
 * names the certificate by fingerprint only and says what to do.
 */
public class JobException extends RuntimeException {

    /** Why a signed job is refused. */
    public enum Problem {
        /** The bytes are not a signed job of this format (not canonical JSON, missing or bad fields). */
        MALFORMED,
        /** The signature does not verify over the signed bytes with the attached certificate. */
        BAD_SIGNATURE,
        /** The attached certificate is not the one the signed bytes name as the researcher. */
        WRONG_CERTIFICATE,
        /** The certificate was not issued by the project CA. */
        NOT_FROM_CA,
        /** The certificate is revoked (or superseded by a renewal). */
        REVOKED,
        /** The certificate's validity ended. */
        EXPIRED,
        /** The certificate's validity has not started. */
        NOT_YET_VALID,
        /** The signer is not a user with the researcher role. */
        NOT_RESEARCHER,
        /** The signer belongs to another project than the job names. */
        WRONG_PROJECT
    }

    private final Problem problem;

    public JobException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public JobException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
