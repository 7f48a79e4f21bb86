package org.medveil.coordinator.rounds;

/** A round (or the key setup) cannot complete; the message says which step, who, and what to do. */
public final class RoundFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RoundFailedException(String message) {
        super(message);
    }

    public RoundFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
