package org.medveil.coordinator.rounds;

/**
 * A round (or the key setup) cannot complete; the message says which step, who, and what to do.
 * {@link #canRunAgain()} marks a round that lost a key holder during decryption: its chunks are
 * spent, but the same round can run again under the next round number with fresh encryptions.
 */
public final class RoundFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean canRunAgain;

    public RoundFailedException(String message) {
        this(message, false);
    }

    public RoundFailedException(String message, boolean canRunAgain) {
        super(message);
        this.canRunAgain = canRunAgain;
    }

    public RoundFailedException(String message, Throwable cause) {
        super(message, cause);
        this.canRunAgain = false;
    }

    /** True when the round failed only because key holders went silent during its decryption. */
    public boolean canRunAgain() {
        return canRunAgain;
    }
}
