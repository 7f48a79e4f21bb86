package org.medveil.models.spec;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the networks a {@link ModelSpec} names. Both are 2D single-channel classifiers with a
 * softmax output, built as DL4J computation graphs so the trainer treats them alike:
 * <ul>
 *   <li>{@code cnn}: three 3×3 conv + ReLU stages (filters f, 2f, 4f), 2×2 max pooling between
 *       them, global pooling (max by default), one dense layer, softmax;</li>
 *   <li>{@code resnet}: a 3×3 stem, then {@code stages} stages of {@code blocks} basic residual
 *       blocks (conv–ReLU–conv + identity, ReLU after the sum); each later stage halves the
 *       resolution with a strided conv and a 1×1 projection on the skip path.</li>
 * </ul>
 * No batch normalization on purpose: its running statistics are not trained by gradients, and
 * averaging them across non-IID sites is a known federated-learning pitfall; at this depth the
 * networks train well without it.
 */
public final class ModelZoo {
    /** Hyperparameters each network accepts (anything else is an error naming the key). */
    public static final Map<String, Set<String>> KEYS = Map.of(
            "cnn", Set.of("input", "classes", "filters", "dense", "l2", "pool"),
            "resnet", Set.of("input", "classes", "filters", "dense", "l2", "pool", "stages", "blocks"));

    private ModelZoo() {}

    /**
     * A zoo spec's hyperparameters, checked once for every engine (keys, defaults, ranges), so one
     * spec means one network in DL4J and in libtorch.
     */
    public record Shape(String network, int input, int classes, int filters, int dense, double l2, boolean maxPool,
                        int stages, int blocks) {

        /** Reads and checks {@code spec}; an error names the key and what is allowed. */
        public static Shape of(ModelSpec spec) {
            Set<String> allowed = KEYS.get(spec.name());
            if (allowed == null) {
                throw new ModelSpecException("unknown model '" + spec.name() + "'; the zoo has "
                        + new TreeSet<>(KEYS.keySet()) + " (and the torch engine takes torchscript:FILE.pt)");
            }
            for (String key : spec.params().keySet()) {
                if (!allowed.contains(key)) {
                    throw new ModelSpecException("model '" + spec.name() + "' has no hyperparameter '" + key
                            + "'; allowed: " + new TreeSet<>(allowed));
                }
            }
            String pool = spec.params().getOrDefault("pool", "max");
            if (!pool.equals("max") && !pool.equals("avg")) {
                throw new ModelSpecException("model spec " + spec + ": pool=" + pool + " is invalid; use max or avg");
            }
            return new Shape(spec.name(), spec.intParam("input", 64, 8, 512), spec.intParam("classes", 2, 2, 1000),
                    spec.intParam("filters", 8, 1, 256), spec.intParam("dense", 32, 1, 4096),
                    spec.doubleParam("l2", 1e-4, 0, 1), pool.equals("max"), spec.intParam("stages", 2, 1, 5),
                    spec.intParam("blocks", 1, 1, 8));
        }
    }

    /** Builds and initializes the network {@code spec} names, with weights drawn from {@code seed}. */
    public static Network build(ModelSpec spec, Optimizer optimizer, long seed) {
        Shape shape = Shape.of(spec);
        int input = shape.input();
        int classes = shape.classes();
        int filters = shape.filters();
        int dense = shape.dense();
        double l2 = shape.l2();

        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater(optimizer))
                .weightInit(WeightInit.RELU)
                .l2(l2)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(input, input, 1));
        String last = switch (spec.name()) {
            case "cnn" -> cnn(g, filters);
            case "resnet" -> resnet(g, filters, shape.stages(), shape.blocks());
            default -> throw new IllegalStateException(spec.name());
        };
        g.addLayer("gap", new GlobalPoolingLayer.Builder(shape.maxPool() ? PoolingType.MAX : PoolingType.AVG).build(), last)
                .addLayer("fc", new DenseLayer.Builder().nOut(dense).activation(Activation.RELU).build(), "gap")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(classes).activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out");
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return new Network(spec, input, classes, graph);
    }

    // Global pooling before the dense layer is max by default (Shape): a finding is local, and
    // averaging over the whole map dilutes a small lesion's response; avg is available.

    private static IUpdater updater(Optimizer o) {
        return switch (o.kind()) {
            case ADAM -> new Adam(o.learningRate());
            case SGD -> new Sgd(o.learningRate());
        };
    }

    private static String cnn(ComputationGraphConfiguration.GraphBuilder g, int f) {
        String in = "in";
        for (int s = 1; s <= 3; s++) {
            g.addLayer("conv" + s, conv(f << (s - 1), 1, 3), in);
            in = "conv" + s;
            if (s < 3) {
                g.addLayer("pool" + s, new SubsamplingLayer.Builder(PoolingType.MAX)
                        .kernelSize(2, 2).stride(2, 2).build(), in);
                in = "pool" + s;
            }
        }
        return in;
    }

    private static String resnet(ComputationGraphConfiguration.GraphBuilder g, int f, int stages, int blocks) {
        g.addLayer("stem", conv(f, 1, 3), "in");
        String in = "stem";
        for (int s = 1; s <= stages; s++) {
            int width = f << (s - 1);
            for (int b = 1; b <= blocks; b++) {
                String p = "s" + s + "b" + b;
                boolean down = s > 1 && b == 1;
                g.addLayer(p + "c1", conv(width, down ? 2 : 1, 3), in);
                g.addLayer(p + "c2", new ConvolutionLayer.Builder(3, 3).nOut(width)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), p + "c1");
                String skip = in;
                if (down) {
                    // Projection so the skip path matches the halved resolution and doubled width.
                    g.addLayer(p + "proj", new ConvolutionLayer.Builder(1, 1).stride(2, 2).nOut(width)
                            .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), in);
                    skip = p + "proj";
                }
                g.addVertex(p + "add", new ElementWiseVertex(ElementWiseVertex.Op.Add), p + "c2", skip);
                g.addLayer(p + "relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), p + "add");
                in = p + "relu";
            }
        }
        return in;
    }

    private static ConvolutionLayer conv(int nOut, int stride, int k) {
        return new ConvolutionLayer.Builder(k, k).stride(stride, stride).nOut(nOut)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build();
    }
}
