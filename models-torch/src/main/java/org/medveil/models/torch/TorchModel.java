package org.medveil.models.torch;

import static org.bytedeco.pytorch.global.torch.cross_entropy;
import static org.bytedeco.pytorch.global.torch.from_blob;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.medveil.models.ModelsException;
import org.medveil.models.data.Batches;
import org.medveil.models.data.DatasetException;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;
import org.medveil.models.train.EpochCallback;
import org.medveil.models.train.ParameterVectors;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;

/**
 * A libtorch model (zoo network or TorchScript module) and its optimizer. Training is written
 * once here: cross-entropy on the logits, L2 and the FedProx term added to the gradients, then
 * the optimizer step. Native memory of each step is freed when the step ends (PointerScope).
 * Not thread-safe: one training run at a time per model.
 */
abstract class TorchModel implements TrainableModel {
    private static final int PREDICT_BATCH = 128;

    private final ModelSpec spec;
    private final int inputSize;
    private final int classes;
    private final double l2;
    private final Optimizer optimizer;
    private List<Tensor> params;
    private TensorVector paramVector;
    private boolean[] decay;
    private long numParams;
    private org.bytedeco.pytorch.Optimizer opt;
    private boolean closed;

    TorchModel(ModelSpec spec, int inputSize, int classes, double l2, Optimizer optimizer) {
        this.spec = spec;
        this.inputSize = inputSize;
        this.classes = classes;
        this.l2 = l2;
        this.optimizer = optimizer;
    }

    /** Called by subclasses once the network exists: takes its parameters and makes the optimizer. */
    final void init(List<Tensor> parameters) {
        params = List.copyOf(parameters);
        paramVector = new TensorVector(params.toArray(new Tensor[0]));
        decay = new boolean[params.size()];
        long n = 0;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p.scalar_type().value != ScalarType.Float.value) {
                throw new ModelsException("model " + spec + ": parameter " + i + " is " + p.scalar_type()
                        + ", not float32; export the model in float32 (module.float() before scripting)");
            }
            // L2 on weights (matrices, kernels), not on biases: DL4J's l2 does the same.
            decay[i] = p.dim() >= 2;
            n += p.numel();
        }
        numParams = n;
        opt = switch (optimizer.kind()) {
            case ADAM -> new Adam(paramVector, new AdamOptions(optimizer.learningRate()));
            case SGD -> new SGD(paramVector, new SGDOptions(optimizer.learningRate()));
        };
    }

    /** Logits [n, classes] for images [n, 1, size, size]. */
    abstract Tensor forward(Tensor images);

    /** Training mode on or off (matters for modules with dropout or batch norm). */
    abstract void training(boolean on);

    abstract void saveTo(Path file);

    /** Frees the network's own native objects. */
    abstract void release();

    @Override
    public ModelSpec spec() { return spec; }

    @Override
    public String engine() { return TorchEngine.NAME; }

    @Override
    public int inputSize() { return inputSize; }

    @Override
    public int classes() { return classes; }

    @Override
    public long numParams() { return numParams; }

    List<Tensor> parameterTensors() { return params; }

    /** Parameters in module order, each tensor's values row-major (C order). */
    @Override
    public float[] parameters() {
        open();
        float[] out = new float[Math.toIntExact(numParams)];
        int off = 0;
        try (PointerScope scope = new PointerScope()) {
            for (Tensor p : params) {
                int n = Math.toIntExact(p.numel());
                Tensor c = p.is_contiguous() ? p : p.contiguous();
                c.data_ptr_float().get(out, off, n);
                off += n;
            }
        }
        return out;
    }

    @Override
    public void setParameters(float[] values) {
        open();
        if (values.length != numParams) {
            throw new ModelsException("parameter vector has " + values.length + " values but model " + spec
                    + " has " + numParams + "; the update was made for a different model spec or engine");
        }
        int off = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : params) {
                int n = Math.toIntExact(p.numel());
                if (p.is_contiguous()) {
                    p.data_ptr_float().put(values, off, n);
                } else {
                    FloatPointer src = new FloatPointer(n);
                    src.put(values, off, n);
                    p.copy_(from_blob(src, p.sizes().vec().get(), new TensorOptions(ScalarType.Float)).clone());
                }
                off += n;
            }
        }
    }

    @Override
    public TrainResult train(List<LabeledImage> images, TrainConfig config, EpochCallback callback) {
        open();
        if (images.isEmpty()) {
            throw new DatasetException("no training images; check the data folders and their labels.csv");
        }
        checkSizes(images);
        float[] global = parameters();
        List<Tensor> globalTensors = new ArrayList<>();
        if (config.mu() > 0) {
            try (NoGradGuard g = new NoGradGuard()) {
                for (Tensor p : params) {
                    try (Tensor d = p.detach()) {
                        globalTensors.add(d.clone());
                    }
                }
            }
        }
        Scalar l2Scalar = new Scalar(l2);
        Scalar muScalar = new Scalar(config.mu());
        List<Double> losses = new ArrayList<>();
        int steps = 0;
        long seen = 0;
        long nanos = 0;
        training(true);
        try {
            for (int epoch = 0; epoch < config.epochs() && !limit(config, steps); epoch++) {
                double sum = 0;
                int batches = 0;
                for (Batches.Batch b : Batches.epochArrays(images, config.batchSize(), classes, config.seed(), epoch,
                        config.augment())) {
                    if (limit(config, steps)) {
                        break;
                    }
                    long t0 = System.nanoTime();
                    sum += step(b, globalTensors, l2Scalar, muScalar);
                    nanos += System.nanoTime() - t0;
                    batches++;
                    steps++;
                    seen += b.n();
                }
                double mean = sum / Math.max(1, batches);
                losses.add(mean);
                if (callback != null) {
                    callback.epochDone(epoch + 1, mean);
                }
            }
        } finally {
            training(false);
            globalTensors.forEach(Tensor::close);
            l2Scalar.close();
            muScalar.close();
        }
        return new TrainResult(losses, steps, seen, nanos / 1e9, ParameterVectors.delta(parameters(), global));
    }

    /**
     * One optimizer step; returns the batch's mean cross-entropy plus 0.5·l2·‖W‖² (as DL4J
     * reports it), without the proximal term.
     */
    private double step(Batches.Batch b, List<Tensor> global, Scalar l2Scalar, Scalar muScalar) {
        try (PointerScope scope = new PointerScope()) {
            opt.zero_grad();
            Tensor logits = forward(input(b));
            checkLogits(logits, b.n());
            Tensor loss = cross_entropy(logits, labels(b));
            loss.backward();
            double l2Score = 0;
            try (NoGradGuard g = new NoGradGuard()) {
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i);
                    Tensor grad = p.grad();
                    if (!grad.defined()) {
                        continue;
                    }
                    if (l2 > 0 && decay[i]) {
                        l2Score += p.square().sum().item_float();
                        grad.add_(p, l2Scalar);
                    }
                    if (!global.isEmpty()) {
                        // FedProx: the gradient of mu/2·‖w − w_global‖² is mu·(w − w_global).
                        grad.add_(p.sub(global.get(i)), muScalar);
                    }
                }
            }
            opt.step();
            return loss.item_float() + 0.5 * l2 * l2Score;
        }
    }

    @Override
    public float[][] predict(List<LabeledImage> images) {
        open();
        checkSizes(images);
        float[][] out = new float[images.size()][];
        training(false);
        for (int from = 0; from < images.size(); from += PREDICT_BATCH) {
            List<LabeledImage> part = images.subList(from, Math.min(images.size(), from + PREDICT_BATCH));
            Batches.Batch b = Batches.arrays(part, classes, null);
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor logits = forward(input(b));
                checkLogits(logits, b.n());
                Tensor p = logits.softmax(1).contiguous();
                float[] flat = new float[b.n() * classes];
                p.data_ptr_float().get(flat);
                for (int i = 0; i < b.n(); i++) {
                    float[] row = new float[classes];
                    System.arraycopy(flat, i * classes, row, 0, classes);
                    out[from + i] = row;
                }
            }
        }
        return out;
    }

    @Override
    public void save(Path file) {
        open();
        try {
            saveTo(file);
        } catch (RuntimeException e) {
            throw new ModelsException("cannot write model file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        opt.close();
        paramVector.close();
        params.forEach(Tensor::close);
        release();
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("model " + spec + " was closed");
        }
    }

    private void checkSizes(List<LabeledImage> images) {
        for (LabeledImage im : images) {
            if (im.size() != inputSize) {
                throw new DatasetException("images are " + im.size() + "x" + im.size() + " but model " + spec
                        + " takes " + inputSize + "x" + inputSize + "; read them at the model's input size");
            }
        }
    }

    private void checkLogits(Tensor logits, int n) {
        long[] s = logits.sizes().vec().get();
        if (s.length != 2 || s[0] != n || s[1] != classes) {
            throw new ModelsException("model " + spec + " returned output of shape " + java.util.Arrays.toString(s)
                    + " for " + n + " images; it must return logits [batch, classes] with classes=" + classes
                    + " (set classes= in the spec to the model's output width)");
        }
    }

    /** Images [n, 1, size, size] as a float tensor that owns its memory. */
    private static Tensor input(Batches.Batch b) {
        FloatPointer fp = new FloatPointer(b.features());
        return from_blob(fp, new long[] {b.n(), 1, b.size(), b.size()}, new TensorOptions(ScalarType.Float)).clone();
    }

    /** Class indices [n] as int64, what cross_entropy takes. */
    private static Tensor labels(Batches.Batch b) {
        long[] l = new long[b.n()];
        for (int i = 0; i < l.length; i++) {
            l[i] = b.labels()[i];
        }
        return from_blob(new LongPointer(l), new long[] {l.length}, new TensorOptions(ScalarType.Long)).clone();
    }

    private static boolean limit(TrainConfig config, int steps) {
        return config.maxSteps() > 0 && steps >= config.maxSteps();
    }
}
