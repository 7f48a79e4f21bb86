package org.medveil.models.train;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.medveil.models.data.Batches;
import org.medveil.models.data.DatasetException;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.spec.Network;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a network on a site's images. The parameters the network holds when {@link #train}
 * starts are w_global: the update is measured against them and FedProx (μ > 0) pulls towards them.
 */
public final class LocalTrainer {
    private final TrainConfig config;

    public LocalTrainer(TrainConfig config) { this.config = config; }

    public TrainConfig config() { return config; }

    public TrainResult train(Network net, List<LabeledImage> images, EpochCallback callback) {
        if (images.isEmpty()) {
            throw new DatasetException("no training images; check the data folders and their labels.csv");
        }
        for (LabeledImage im : images) {
            if (im.size() != net.inputSize()) {
                throw new DatasetException("images are " + im.size() + "x" + im.size() + " but model " + net.spec()
                        + " takes " + net.inputSize() + "x" + net.inputSize() + "; read them at the model's input size");
            }
        }
        ComputationGraph graph = net.graph();
        float[] global = net.parameters();
        List<TrainingListener> saved = new ArrayList<>(graph.getListeners());
        if (config.mu() > 0) {
            graph.addListeners(new FedProxListener(Nd4j.createFromArray(global).reshape(1, global.length), config.mu()));
        }
        List<Double> losses = new ArrayList<>();
        int steps = 0;
        long seen = 0;
        long nanos = 0;
        try {
            for (int epoch = 0; epoch < config.epochs() && !stepLimitReached(steps); epoch++) {
                double sum = 0;
                int batches = 0;
                for (DataSet batch : Batches.epoch(images, config.batchSize(), net.classes(), config.seed(), epoch,
                        config.augment())) {
                    if (stepLimitReached(steps)) {
                        break;
                    }
                    long t0 = System.nanoTime();
                    graph.fit(batch);
                    nanos += System.nanoTime() - t0;
                    sum += graph.score();
                    batches++;
                    steps++;
                    seen += batch.numExamples();
                }
                double mean = sum / Math.max(1, batches);
                losses.add(mean);
                if (callback != null) {
                    callback.epochDone(epoch + 1, mean);
                }
            }
        } finally {
            graph.setListeners(saved);
        }
        return new TrainResult(losses, steps, seen, nanos / 1e9, ParameterVectors.delta(net.parameters(), global));
    }

    private boolean stepLimitReached(int steps) {
        return config.maxSteps() > 0 && steps >= config.maxSteps();
    }
}
