package org.medveil.site.store;

/** A store operation failed; the message says what, where, and what to do. Never carries PHI. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
