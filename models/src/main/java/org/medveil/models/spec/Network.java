package org.medveil.models.spec;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.medveil.models.ModelsException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A built network: its spec, input size (square, one channel), class count and the DL4J graph.
 * Parameters travel as one flat float vector in DL4J's own flattening order, which is fixed by the
 * spec, so every site and the coordinator agree on what index i means.
 */
public final class Network {
    private final ModelSpec spec;
    private final int inputSize;
    private final int classes;
    private final ComputationGraph graph;

    Network(ModelSpec spec, int inputSize, int classes, ComputationGraph graph) {
        this.spec = spec;
        this.inputSize = inputSize;
        this.classes = classes;
        this.graph = graph;
    }

    public ModelSpec spec() { return spec; }

    public int inputSize() { return inputSize; }

    public int classes() { return classes; }

    /** The DL4J graph, for training and inference. */
    public ComputationGraph graph() { return graph; }

    public long numParams() { return graph.numParams(); }

    /** A copy of all parameters as one flat vector. */
    public float[] parameters() {
        return graph.params().toFloatVector();
    }

    /** Replaces all parameters (copied in); the length must be {@link #numParams()}. */
    public void setParameters(float[] values) {
        if (values.length != graph.numParams()) {
            throw new ModelsException("parameter vector has " + values.length + " values but model " + spec
                    + " has " + graph.numParams() + "; the update was made for a different model spec");
        }
        graph.setParams(Nd4j.createFromArray(values).reshape(1, values.length));
    }

    /**
     * SHA-256 (hex) of the parameters as little-endian IEEE 754 floats: a short fingerprint to
     * compare runs bit for bit and to name a model in manifests.
     */
    public String parameterDigest() {
        float[] w = parameters();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * w.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : w) {
            b.putFloat(f);
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** Class probabilities for a batch [n, 1, size, size]; row i is image i. */
    public float[][] predict(INDArray features) {
        INDArray out = graph.outputSingle(false, features.castTo(DataType.FLOAT));
        return out.toFloatMatrix();
    }
}
