package org.medveil.he;

/** A decryption or key share does not belong to this key, ciphertext or party set, or decrypts to garbage. */
public class InvalidShareException extends HeException {
    private static final long serialVersionUID = 1L;

    public InvalidShareException(String message) {
        super(message);
    }
}
