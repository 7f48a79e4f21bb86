package org.medveil.models.torch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.medveil.models.engine.EngineException;
import org.medveil.models.spec.ModelSpec;
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
        ModelZoo.Shape shape = ModelZoo.Shape.of(spec);
        ZooNet net;
        synchronized (SEED_LOCK) {
            torch.manual_seed(seed);
            net = shape.network().equals("cnn")
                    ? ZooNet.cnn(shape.filters(), shape.dense(), shape.classes(), shape.maxPool())
                    : ZooNet.resnet(shape.filters(), shape.dense(), shape.classes(), shape.maxPool(), shape.stages(),
                            shape.blocks());
        }
        return new ZooModel(spec, shape.input(), shape.classes(), shape.l2(), optimizer, net);
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
