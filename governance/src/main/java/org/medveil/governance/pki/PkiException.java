package org.medveil.governance.pki;

/** Something about certificates, keys or kits that the user must fix; the message says what and where. */
public class PkiException extends RuntimeException {
    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
