package org.medveil.governance.audit;

/** The audit log cannot be written or opened, or a signed audit artefact does not verify; the message says why and what to do. */
public final class AuditException extends RuntimeException {

    public AuditException(String message) {
        super(message);
    }

    public AuditException(String message, Throwable cause) {
        super(message, cause);
    }
}
