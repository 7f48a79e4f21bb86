package org.medveil.governance.canonical;

/** A value that has no canonical form in our JCS profile, or bytes that are not in canonical form. */
public final class CanonicalException extends IllegalArgumentException {

    public CanonicalException(String message) {
        super(message);
    }

    public CanonicalException(String message, Throwable cause) {
        super(message, cause);
    }
}
