package org.medveil.models.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.train.EpochCallback;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;

/**
 * A model one engine built: what a federated round needs from it. The federation sees only the
 * flat parameter vector, so {@link #parameters()} and {@link #setParameters(float[])} use one
 * order per engine and spec (each engine documents it) and round-trip exactly.
 * Models hold native memory in some engines: close them when done.
 */
public interface TrainableModel extends AutoCloseable {

    ModelSpec spec();

    /** Name of the engine that built it ({@link TrainingEngine#name()}). */
    String engine();

    /** Side of the square one-channel input images. */
    int inputSize();

    int classes();

    long numParams();

    /** A copy of all parameters as one flat vector in the engine's documented order. */
    float[] parameters();

    /** Replaces all parameters (copied in); the length must be {@link #numParams()}. */
    void setParameters(float[] values);

    /**
     * Trains from the parameters the model holds now, which are w_global: the returned update is
     * Δ = w_local − w_global and FedProx (μ > 0) pulls towards them.
     */
    TrainResult train(List<LabeledImage> images, TrainConfig config, EpochCallback callback);

    /** Class probabilities; row i belongs to image i. */
    float[][] predict(List<LabeledImage> images);

    /** Writes the model in the engine's own file format ({@link TrainingEngine#load} reads it). */
    void save(Path file);

    /** Frees native memory; the model is unusable afterwards. */
    @Override
    void close();

    /**
     * SHA-256 (hex) of the parameters as little-endian IEEE 754 floats: a short fingerprint to
     * compare runs bit for bit and to name a model in manifests.
     */
    default String parameterDigest() {
        return digest(parameters());
    }

    /** SHA-256 (hex) of a parameter vector as little-endian float32 values. */
    static String digest(float[] w) {
        ByteBuffer b = ByteBuffer.allocate(4 * w.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(w);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
