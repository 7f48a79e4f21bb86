package org.medveil.governance.manifest;

/** A manifest that cannot be built, written or countersigned; the message says what and where. */
public final class ManifestException extends IllegalArgumentException {

    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
