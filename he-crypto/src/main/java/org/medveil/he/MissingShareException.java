package org.medveil.he;

/** A collective decryption lacks the share of at least one key holder. */
public class MissingShareException extends HeException {
    private static final long serialVersionUID = 1L;

    public MissingShareException(String message) {
        super(message);
    }
}
