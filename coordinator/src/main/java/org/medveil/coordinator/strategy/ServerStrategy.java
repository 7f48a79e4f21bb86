package org.medveil.coordinator.strategy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * How the coordinator turns the decrypted, sample-weighted mean update Δ̄ of a round into the
 * next global model. Works on flat float vectors only (the coordinator never loads a model
 * framework). A strategy with state (FedAdam's moments) carries it from round to round; that
 * state is saved with {@link #writeState} after each round and restored with
 * {@link ServerStrategies#restore}, so a restarted coordinator continues exactly where it was.
 */
public interface ServerStrategy {

    /** Name as in a job spec: {@code fedavg}, {@code fedprox}, {@code fedadam}. */
    String name();

    /** The hyper-parameters in effect, defaults included. */
    Map<String, Double> params();

    /**
     * The next global model from the current one and the round's mean update (sites' local
     * model minus the global model they started from, weighted by sample counts). Does not
     * modify its arguments; advances the strategy's state.
     */
    float[] next(float[] global, float[] meanDelta);

    /** Writes name, parameters and state; {@link ServerStrategies#restore} reads it back. */
    void writeState(OutputStream out) throws IOException;

    /** {@link #writeState} into a byte array (for small models; use writeState for large ones). */
    default byte[] state() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeState(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Whether {@link #writeState} carries more than name and parameters (worth storing per round). */
    boolean hasState();

    static void requireSameLength(float[] global, float[] meanDelta) {
        if (global.length != meanDelta.length) {
            throw new IllegalArgumentException("the mean update has " + meanDelta.length
                    + " parameters but the global model has " + global.length);
        }
    }
}
