package org.medveil.models.torch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.medveil.models.engine.EngineException;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelSpecException;
import org.medveil.models.spec.ModelZoo;
import org.medveil.models.spec.Optimizer;

/** A zoo network ({@code cnn}, {@code resnet}) in libtorch; model files are libtorch archives. */
final class ZooModel extends TorchModel {
    /** libtorch's global generator seeds the weights: builds take turns. */
    private static final Object SEED_LOCK = new Object();

    private final ZooNet net;

    private ZooModel(ModelSpec spec, int input, int classes, double l2, Optimizer optimizer, ZooNet net) {
        super(spec, input, classes, l2, optimizer);
        this.net = net;
        TensorVector v = net.parameters();
        List<Tensor> ps = new ArrayList<>();
        for (long i = 0; i < v.size(); i++) {
            // get(i) points into the vector; the copy holds its own reference to the tensor.
            ps.add(new Tensor(v.get(i)));
        }
        v.close();
        init(ps);
    }

    /** Same keys, defaults and ranges as models' ModelZoo, so one spec means one network. */
    static ZooModel build(ModelSpec spec, Optimizer optimizer, long seed) {
        Set<String> allowed = ModelZoo.KEYS.get(spec.name());
        if (allowed == null) {
            throw new ModelSpecException("unknown model '" + spec.name() + "'; the zoo has "
                    + new TreeSet<>(ModelZoo.KEYS.keySet()) + " and the torch engine also takes torchscript:FILE.pt");
        }
        for (String key : spec.params().keySet()) {
            if (!allowed.contains(key)) {
                throw new ModelSpecException("model '" + spec.name() + "' has no hyperparameter '" + key
                        + "'; allowed: " + new TreeSet<>(allowed));
            }
        }
        int input = spec.intParam("input", 64, 8, 512);
        int classes = spec.intParam("classes", 2, 2, 1000);
        int filters = spec.intParam("filters", 8, 1, 256);
        int dense = spec.intParam("dense", 32, 1, 4096);
        double l2 = spec.doubleParam("l2", 1e-4, 0, 1);
        String pool = spec.params().getOrDefault("pool", "max");
        if (!pool.equals("max") && !pool.equals("avg")) {
            throw new ModelSpecException("model spec " + spec + ": pool=" + pool + " is invalid; use max or avg");
        }
        boolean max = pool.equals("max");
        ZooNet net;
        synchronized (SEED_LOCK) {
            torch.manual_seed(seed);
            net = spec.name().equals("cnn")
                    ? ZooNet.cnn(filters, dense, classes, max)
                    : ZooNet.resnet(filters, dense, classes, max,
                            spec.intParam("stages", 2, 1, 5), spec.intParam("blocks", 1, 1, 8));
        }
        return new ZooModel(spec, input, classes, l2, optimizer, net);
    }

    /** The model {@code file} holds (written by {@link #save}), for the same spec. */
    static ZooModel load(ModelSpec spec, Optimizer optimizer, Path file) {
        ZooModel m = build(spec, optimizer, 0);
        try (InputArchive in = new InputArchive()) {
            in.load_from(file.toString());
            m.net.load(in);
        } catch (RuntimeException e) {
            m.close();
            throw new EngineException("cannot read torch model file " + file + " for model " + spec + ": "
                    + firstLine(e) + "; it must be a file the torch engine saved for this spec", e);
        }
        return m;
    }

    @Override
    Tensor forward(Tensor images) {
        return net.forward(images);
    }

    @Override
    void training(boolean on) {
        net.train(on);
    }

    @Override
    void saveTo(Path file) {
        try (OutputArchive out = new OutputArchive()) {
            net.save(out);
            out.save_to(file.toString());
        }
    }

    @Override
    void release() {
        net.close();
    }

    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
