package org.medveil.governance.crypto;

/**
 * Authenticated decryption failed: the ciphertext, the nonce, the associated data or the key is
 * not the one that was sealed. Carries no data from the message.
 */
public final class TamperedException extends Exception {
    private static final long serialVersionUID = 1L;

    public TamperedException(String message, Throwable cause) {
        super(message, cause);
    }
}
