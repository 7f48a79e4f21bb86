package org.medveil.models.spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.medveil.models.ModelsException;
import org.medveil.models.data.Batches;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.engine.Dl4jEngine;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.train.EpochCallback;
import org.medveil.models.train.LocalTrainer;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A built DL4J network (the {@code dl4j} engine's {@link TrainableModel}): its spec, input size
 * (square, one channel), class count and the DL4J graph. Parameters travel as one flat float
 * vector in DL4J's own flattening order, which is fixed by the spec, so every site and the
 * coordinator agree on what index i means.
 */
public final class Network implements TrainableModel {
    private static final int PREDICT_BATCH = 128;

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

    @Override
    public ModelSpec spec() { return spec; }

    @Override
    public String engine() { return Dl4jEngine.NAME; }

    @Override
    public int inputSize() { return inputSize; }

    @Override
    public int classes() { return classes; }

    /** The DL4J graph, for training and inference. */
    public ComputationGraph graph() { return graph; }

    @Override
    public long numParams() { return graph.numParams(); }

    /** A copy of all parameters as one flat vector. */
    @Override
    public float[] parameters() {
        return graph.params().toFloatVector();
    }

    /** Replaces all parameters (copied in); the length must be {@link #numParams()}. */
    @Override
    public void setParameters(float[] values) {
        if (values.length != graph.numParams()) {
            throw new ModelsException("parameter vector has " + values.length + " values but model " + spec
                    + " has " + graph.numParams() + "; the update was made for a different model spec");
        }
        graph.setParams(Nd4j.createFromArray(values).reshape(1, values.length));
    }

    /** Class probabilities for a batch [n, 1, size, size]; row i is image i. */
    public float[][] predict(INDArray features) {
        INDArray out = graph.outputSingle(false, features.castTo(DataType.FLOAT));
        return out.toFloatMatrix();
    }

    @Override
    public TrainResult train(List<LabeledImage> images, TrainConfig config, EpochCallback callback) {
        return new LocalTrainer(config).train(this, images, callback);
    }

    @Override
    public float[][] predict(List<LabeledImage> images) {
        float[][] out = new float[images.size()][];
        for (int from = 0; from < images.size(); from += PREDICT_BATCH) {
            List<LabeledImage> part = images.subList(from, Math.min(images.size(), from + PREDICT_BATCH));
            float[][] p = predict(Batches.batch(part, classes, null).getFeatures());
            System.arraycopy(p, 0, out, from, p.length);
        }
        return out;
    }

    @Override
    public void save(Path file) {
        try {
            ModelSerializer.writeModel(graph, file.toFile(), false);
        } catch (IOException e) {
            throw new ModelsException("cannot write model file " + file + ": " + e.getMessage(), e);
        }
    }

    /** DL4J frees its arrays through the garbage collector; nothing to do. */
    @Override
    public void close() {
    }
}
