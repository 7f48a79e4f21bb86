package org.medveil.models.torch;

import static org.bytedeco.pytorch.global.torch.max_pool2d;
import static org.bytedeco.pytorch.global.torch.relu;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.FanModeType;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Nonlinearity;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.kFanIn;
import org.bytedeco.pytorch.kReLU;

/**
 * The zoo networks ({@code cnn}, {@code resnet}) as libtorch modules, layer for layer the same as
 * models' DL4J {@code ModelZoo}: same shapes, same parameter counts, He-normal weights (fan in)
 * and zero biases. The forward pass is written here in Java; every op runs in libtorch.
 * Parameter order is the registration order below ({@link Module#parameters()}).
 */
final class ZooNet extends Module {
    private static final long[] POOL = {2, 2};
    private static final long[] NO_PAD = {0, 0};
    private static final long[] ONE = {1, 1};
    private static final long[] GLOBAL = {2, 3};

    /** The layers that take the image to the last feature map. */
    private interface Body {
        Tensor forward(Tensor x);
    }

    private final Body body;
    private final boolean maxPool;
    private final LinearImpl fc;
    private final LinearImpl out;

    private ZooNet(String kind, int filters, int dense, int classes, boolean maxPool, int stages, int blocks) {
        this.maxPool = maxPool;
        int width;
        if (kind.equals("cnn")) {
            List<Conv2dImpl> convs = new ArrayList<>();
            int in = 1;
            for (int s = 1; s <= 3; s++) {
                int o = filters << (s - 1);
                convs.add(register_module("conv" + s, conv(in, o, 3, 1)));
                in = o;
            }
            width = in;
            body = x -> {
                for (int s = 0; s < convs.size(); s++) {
                    x = relu(convs.get(s).forward(x));
                    if (s < convs.size() - 1) {
                        x = max_pool2d(x, POOL, POOL, NO_PAD, ONE, false);
                    }
                }
                return x;
            };
        } else {
            Conv2dImpl stem = register_module("stem", conv(1, filters, 3, 1));
            List<Block> list = new ArrayList<>();
            int in = filters;
            for (int s = 1; s <= stages; s++) {
                int w = filters << (s - 1);
                for (int b = 1; b <= blocks; b++) {
                    boolean down = s > 1 && b == 1;
                    String p = "s" + s + "b" + b;
                    Conv2dImpl c1 = register_module(p + "c1", conv(in, w, 3, down ? 2 : 1));
                    Conv2dImpl c2 = register_module(p + "c2", conv(w, w, 3, 1));
                    // Projection so the skip path matches the halved resolution and doubled width.
                    Conv2dImpl proj = down ? register_module(p + "proj", conv(in, w, 1, 2)) : null;
                    list.add(new Block(c1, c2, proj));
                    in = w;
                }
            }
            width = in;
            body = x -> {
                Tensor h = relu(stem.forward(x));
                for (Block b : list) {
                    h = b.forward(h);
                }
                return h;
            };
        }
        fc = register_module("fc", new LinearImpl(width, dense));
        out = register_module("out", new LinearImpl(dense, classes));
        initWeights();
    }

    /** A basic residual block: conv-ReLU-conv plus the (projected) input, ReLU after the sum. */
    private record Block(Conv2dImpl c1, Conv2dImpl c2, Conv2dImpl proj) {
        Tensor forward(Tensor x) {
            Tensor y = c2.forward(relu(c1.forward(x)));
            Tensor skip = proj == null ? x : proj.forward(x);
            return relu(y.add(skip));
        }
    }

    static ZooNet cnn(int filters, int dense, int classes, boolean maxPool) {
        return new ZooNet("cnn", filters, dense, classes, maxPool, 0, 0);
    }

    static ZooNet resnet(int filters, int dense, int classes, boolean maxPool, int stages, int blocks) {
        return new ZooNet("resnet", filters, dense, classes, maxPool, stages, blocks);
    }

    /** Logits [n, classes] for images [n, 1, size, size]. */
    Tensor forward(Tensor x) {
        Tensor h = body.forward(x);
        Tensor pooled = maxPool ? h.amax(GLOBAL, false) : h.mean(GLOBAL);
        return out.forward(relu(fc.forward(pooled)));
    }

    /**
     * 3x3 convolutions pad 1 ("same" at stride 1; at stride 2 the output is half the input, as
     * DL4J's Same mode gives); 1x1 projections pad 0.
     */
    private static Conv2dImpl conv(int in, int out, int k, int stride) {
        Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(k, k));
        o.stride().put(new long[] {stride, stride});
        o.padding().put(new LongPointer((long) (k / 2), (long) (k / 2)));
        return new Conv2dImpl(o);
    }

    /** He-normal (variance 2 / fan-in) weights and zero biases, DL4J's WeightInit.RELU. */
    private void initWeights() {
        TensorVector params = parameters();
        for (long i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                if (p.dim() >= 2) {
                    torch.kaiming_normal_(p, 0, new FanModeType(new kFanIn()), new Nonlinearity(new kReLU()));
                } else {
                    torch.zeros_(p);
                }
            }
        }
    }
}
