package org.medveil.models.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.models.ModelsException;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.engine.EngineException;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.engine.TrainingEngine;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelSpecException;
import org.medveil.models.spec.Optimizer;
import org.medveil.models.train.ParameterVectors;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;

class TorchEngineTest {
    private static final TrainingEngine TORCH = Engines.named("torch");
    private static List<LabeledImage> data;

    @BeforeAll
    static void start() {
        assertEquals(Optional.empty(), TORCH.unavailableReason(), "libtorch must start on the build machine");
        data = Synth.sites(77, 3, 40, 32);
    }

    private static TrainableModel torch(String spec, Optimizer opt, long seed) {
        return TORCH.build(ModelSpec.parse(spec), opt, seed);
    }

    @Test
    @DisplayName("ServiceLoader offers the torch engine next to dl4j, which stays the default")
    void registered() {
        assertInstanceOf(TorchEngine.class, TORCH);
        assertTrue(Engines.names().containsAll(List.of("dl4j", "torch")), Engines.names().toString());
        assertEquals("dl4j", Engines.named(null).name());
    }

    @Test
    @DisplayName("The zoo has the same parameter count in both engines for several specs (cnn default: 7 010)")
    void sameParameterCounts() {
        TrainingEngine dl4j = Engines.named("dl4j");
        for (String s : List.of("cnn", "cnn:input=32,classes=3", "cnn:filters=16,dense=64,pool=avg",
                "resnet:input=32,filters=4", "resnet:filters=8,stages=3,blocks=2,dense=16")) {
            ModelSpec spec = ModelSpec.parse(s);
            try (TrainableModel t = TORCH.build(spec, Optimizer.adam(1e-3), 1);
                 TrainableModel d = dl4j.build(spec, Optimizer.adam(1e-3), 1)) {
                assertEquals(d.numParams(), t.numParams(), s);
                assertEquals(t.numParams(), t.parameters().length, s);
                if (s.equals("cnn")) {
                    assertEquals(7010, t.numParams());
                }
            }
        }
    }

    @Test
    @DisplayName("set/get parameters round-trips a random vector bit for bit (cnn and resnet); a wrong length is refused")
    void parametersRoundTripExactly() {
        SplittableRandom rng = new SplittableRandom(42);
        for (String s : List.of("cnn:input=32", "resnet:input=32,filters=4,stages=2,blocks=2")) {
            try (TrainableModel m = torch(s, Optimizer.adam(1e-3), 1)) {
                float[] w = new float[(int) m.numParams()];
                for (int i = 0; i < w.length; i++) {
                    // Any finite float, including subnormals and -0: any conversion would show.
                    float f;
                    do {
                        f = Float.intBitsToFloat(rng.nextInt());
                    } while (!Float.isFinite(f));
                    w[i] = f;
                }
                m.setParameters(w);
                assertArrayEquals(bits(w), bits(m.parameters()), s);
                assertThrows(ModelsException.class, () -> m.setParameters(new float[3]));
            }
        }
    }

    @Test
    @DisplayName("He init: weights have std sqrt(2/fan-in), biases are zero; the seed decides the weights")
    void heInitSeeded() {
        try (TrainableModel a = torch("cnn:filters=16,dense=64", Optimizer.adam(1e-3), 3);
             TrainableModel b = torch("cnn:filters=16,dense=64", Optimizer.adam(1e-3), 3);
             TrainableModel c = torch("cnn:filters=16,dense=64", Optimizer.adam(1e-3), 4)) {
            float[] w = a.parameters();
            assertArrayEquals(bits(w), bits(b.parameters()), "same seed, same weights");
            assertFalse(Arrays.equals(w, c.parameters()), "another seed, other weights");
            // Order: conv1 w [16,1,3,3], b [16]; conv2 w [32,16,3,3], b; conv3 w [64,32,3,3], b; fc, out.
            int conv1 = 16 * 9;
            int conv2W = 32 * 16 * 9;
            assertEquals(0, Arrays.stream(box(w, conv1, 16)).filter(x -> x != 0).count(), "conv1 bias is zero");
            double sd = std(w, conv1 + 16, conv2W);
            double want = Math.sqrt(2.0 / (16 * 9));
            assertEquals(want, sd, want * 0.05, "conv2 weight std");
        }
    }

    @Test
    @DisplayName("The update is w_local - w_global exactly; FedProx mu > 0 ends closer to w_global (Adam and SGD)")
    void updateAndFedProx() {
        try (TrainableModel m = torch("cnn:input=32", Optimizer.adam(2e-3), 5)) {
            float[] global = m.parameters();
            TrainResult r = m.train(data, new TrainConfig(1, 3, 16, 0, 5, false), null);
            assertEquals(3, r.steps());
            assertEquals(48, r.images());
            assertArrayEquals(ParameterVectors.delta(m.parameters(), global), r.update());
            assertTrue(ParameterVectors.distance(m.parameters(), global) > 0);
        }
        for (Optimizer opt : List.of(Optimizer.adam(2e-3), Optimizer.sgd(0.05))) {
            double[] mus = {0, 0.1, 1.0};
            double[] dist = new double[mus.length];
            for (int k = 0; k < mus.length; k++) {
                try (TrainableModel m = torch("cnn:input=32", opt, 5)) {
                    float[] global = m.parameters();
                    m.train(data, new TrainConfig(2, 30, 16, mus[k], 5, false), null);
                    dist[k] = ParameterVectors.distance(m.parameters(), global);
                }
            }
            assertTrue(dist[1] < dist[0] && dist[2] < dist[1],
                    opt.kind() + ": distance to w_global should shrink as mu grows: " + Arrays.toString(dist));
        }
    }

    @Test
    @DisplayName("L2 as DL4J applies it: l2·w added to the weights' gradients (not biases) before the optimizer; loss reports 0.5·l2·‖W‖²")
    void l2LikeDl4j() {
        double lr = 0.1;
        double l2 = 0.01;
        float[] w0;
        float[] plain;
        float[] decayed;
        double lossPlain;
        double lossDecayed;
        TrainConfig oneStep = new TrainConfig(1, 1, 16, 0, 6, false);
        try (TrainableModel m = torch("cnn:input=32,l2=0", Optimizer.sgd(lr), 6)) {
            w0 = m.parameters();
            for (int i = 0; i < w0.length; i++) {
                w0[i] += 0.01f * (i % 7 - 3); // biases start at 0: make them non-zero so L2 on them would show
            }
            m.setParameters(w0);
            lossPlain = m.train(data, oneStep, null).epochLosses().get(0);
            plain = m.parameters();
        }
        try (TrainableModel m = torch("cnn:input=32,l2=" + l2, Optimizer.sgd(lr), 6)) {
            m.setParameters(w0);
            lossDecayed = m.train(data, oneStep, null).epochLosses().get(0);
            decayed = m.parameters();
        }
        // cnn order: conv1 w [8,1,3,3] b [8], conv2 w [16,8,3,3] b [16], conv3 w [32,16,3,3] b [32],
        // fc w [32,32] b [32], out w [2,32] b [2].
        int[][] tensors = {{72, 1}, {8, 0}, {1152, 1}, {16, 0}, {4608, 1}, {32, 0}, {1024, 1}, {32, 0}, {64, 1}, {2, 0}};
        int off = 0;
        double sq = 0;
        for (int[] t : tensors) {
            for (int i = off; i < off + t[0]; i++) {
                // SGD: w1 = w0 - lr·(g + l2·w0) for weights, so the two runs differ by lr·l2·w0.
                double want = t[1] == 1 ? -lr * l2 * w0[i] : 0;
                assertEquals(want, (double) decayed[i] - plain[i], 1e-6 + Math.abs(want) * 1e-3, "index " + i);
                if (t[1] == 1) {
                    sq += (double) w0[i] * w0[i];
                }
            }
            off += t[0];
        }
        assertEquals(w0.length, off);
        assertEquals(0.5 * l2 * sq, lossDecayed - lossPlain, 1e-5);
    }

    @Test
    @DisplayName("Same seed, same data, same threads: bitwise identical parameters after training (with augmentation)")
    void reproducible() {
        String[] digests = new String[2];
        for (int i = 0; i < 2; i++) {
            try (TrainableModel m = torch("resnet:input=32,filters=4", Optimizer.adam(2e-3), 9)) {
                m.train(data, new TrainConfig(1, 6, 16, 0.1, 9, true), null);
                digests[i] = m.parameterDigest();
            }
        }
        assertEquals(digests[0], digests[1]);
    }

    @Test
    @DisplayName("save/load: a trained model read back has the same parameters and predictions; another spec is refused")
    void saveLoad(@TempDir Path dir) {
        Path file = dir.resolve("model.pt");
        ModelSpec spec = ModelSpec.parse("resnet:input=32,filters=4");
        float[] w;
        float[][] p;
        try (TrainableModel m = TORCH.build(spec, Optimizer.adam(2e-3), 11)) {
            m.train(data, new TrainConfig(1, 4, 16, 0, 11, false), null);
            w = m.parameters();
            p = m.predict(data.subList(0, 10));
            m.save(file);
        }
        try (TrainableModel back = TORCH.load(spec, Optimizer.adam(2e-3), file)) {
            assertArrayEquals(bits(w), bits(back.parameters()));
            float[][] q = back.predict(data.subList(0, 10));
            for (int i = 0; i < p.length; i++) {
                assertArrayEquals(p[i], q[i]);
            }
        }
        EngineException e = assertThrows(EngineException.class,
                () -> TORCH.load(ModelSpec.parse("cnn:input=32"), Optimizer.adam(2e-3), file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("for this spec"), e.getMessage());
    }

    @Test
    @DisplayName("Images of the wrong size, unknown models and keys are refused with what to do")
    void refusals() {
        try (TrainableModel m = torch("cnn:input=16", Optimizer.adam(1e-3), 1)) {
            var e = assertThrows(ModelsException.class, () -> m.train(data, TrainConfig.epochs(1, 8, 1), null));
            assertTrue(e.getMessage().contains("32x32") && e.getMessage().contains("16x16"), e.getMessage());
        }
        var unknown = assertThrows(ModelSpecException.class, () -> torch("vgg", Optimizer.adam(1e-3), 1));
        assertTrue(unknown.getMessage().contains("torchscript"), unknown.getMessage());
        var key = assertThrows(ModelSpecException.class, () -> torch("cnn:depth=3", Optimizer.adam(1e-3), 1));
        assertTrue(key.getMessage().contains("depth"), key.getMessage());
    }

    @Test
    @DisplayName("On glibc < 2.35 the engine is unavailable and says why; build refuses with the same reason")
    void unavailableOnOldGlibc() {
        TorchEngine old = new TorchEngine(() -> TorchRuntime.glibcProblem("2.31"));
        String reason = old.unavailableReason().orElseThrow();
        assertEquals("libtorch needs glibc >= 2.35 (Debian 12, Ubuntu 22.04+); this machine has 2.31", reason);
        EngineException e = assertThrows(EngineException.class,
                () -> old.build(ModelSpec.parse("cnn"), Optimizer.adam(1e-3), 1));
        assertTrue(e.getMessage().contains("'torch' cannot run here") && e.getMessage().contains(reason), e.getMessage());
        assertTrue(TorchRuntime.glibcProblem(null).orElseThrow().contains("no glibc"));
        assertTrue(TorchRuntime.glibcProblem("2.34").isPresent());
        assertTrue(TorchRuntime.glibcProblem("1.99").isPresent());
        for (String ok : List.of("2.35", "2.36", "2.40", "3.1")) {
            assertEquals(Optional.empty(), TorchRuntime.glibcProblem(ok), ok);
        }
        String here = TorchRuntime.detectGlibc();
        assertNotNull(here, "this Debian 12 build machine reports its glibc");
        assertEquals(Optional.empty(), TorchRuntime.glibcProblem(here), here);
    }

    @Test
    @DisplayName("Thread count: OMP_NUM_THREADS when a positive integer, else the processors")
    void threads() {
        assertEquals(3, TorchRuntime.threadCount("3", 8));
        assertEquals(8, TorchRuntime.threadCount(null, 8));
        assertEquals(8, TorchRuntime.threadCount("0", 8));
        assertEquals(8, TorchRuntime.threadCount("two", 8));
        assertTrue(TorchRuntime.threads() >= 1);
    }

    static int[] bits(float[] w) {
        int[] b = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            b[i] = Float.floatToRawIntBits(w[i]);
        }
        return b;
    }

    private static double[] box(float[] w, int from, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = w[from + i];
        }
        return d;
    }

    private static double std(float[] w, int from, int n) {
        double s = 0;
        double s2 = 0;
        for (int i = from; i < from + n; i++) {
            s += w[i];
            s2 += (double) w[i] * w[i];
        }
        double mean = s / n;
        return Math.sqrt(s2 / n - mean * mean);
    }
}
