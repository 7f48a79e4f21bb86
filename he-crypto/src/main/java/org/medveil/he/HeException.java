package org.medveil.he;

/**
 * Base of every error this module raises. Messages say what is wrong, where, and what to do;
 * they never contain plaintext values or secret material.
 */
public class HeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HeException(String message) {
        super(message);
    }

    public HeException(String message, Throwable cause) {
        super(message, cause);
    }
}
