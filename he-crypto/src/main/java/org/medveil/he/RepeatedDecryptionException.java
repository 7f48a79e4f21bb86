package org.medveil.he;

/** A key-share holder was asked twice for a decryption share of the same ciphertext. */
public class RepeatedDecryptionException extends HeException {
    private static final long serialVersionUID = 1L;

    public RepeatedDecryptionException(String message) {
        super(message);
    }
}
