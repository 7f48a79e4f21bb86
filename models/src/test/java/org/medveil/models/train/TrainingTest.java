package org.medveil.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.medveil.models.ModelsException;
import org.medveil.models.SynthFixture;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.data.Split;
import org.medveil.models.eval.Evaluator;
import org.medveil.models.eval.Metrics;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelZoo;
import org.medveil.models.spec.Network;
import org.medveil.models.spec.Optimizer;

class TrainingTest {
    private static final int SIZE = 32;
    private static List<LabeledImage> data;

    @BeforeAll
    static void data() {
        data = SynthFixture.sites(2024, 3, 200, SIZE);
    }

    private static Network cnn(long seed) {
        return ModelZoo.build(ModelSpec.parse("cnn:input=" + SIZE + ",filters=8,dense=32"), Optimizer.adam(2e-3), seed);
    }

    @Test
    @DisplayName("Pooled training on 3 synthetic sites (600 images, 32x32, 8 epochs) beats chance clearly: AUC >= 0.75 and accuracy above the majority rate")
    void beatsChance() {
        Split split = Split.holdOut(data, 0.25, 1);
        Network net = cnn(1);
        TrainResult r = new LocalTrainer(TrainConfig.epochs(8, 16, 1)).train(net, split.train(), null);
        Metrics m = Evaluator.evaluate(net, split.test());
        // Chance is AUC 0.5; with ~150 test images (~70 positives) the AUC's standard error under
        // chance is about 0.05, so 0.75 is five standard errors away: a model that learned nothing
        // cannot pass by luck. This run reaches about 0.9, so the margin also absorbs platform noise.
        assertTrue(m.auc() >= 0.75, "AUC " + m);
        double majority = Math.max(m.positives(), m.n() - m.positives()) / (double) m.n();
        assertTrue(m.accuracy() > majority, "accuracy " + m + " vs majority rate " + majority);
        assertTrue(r.epochLosses().get(r.epochLosses().size() - 1) < r.epochLosses().get(0), "loss falls: " + r.epochLosses());
    }

    @Test
    @DisplayName("Parameter vectors round-trip exactly through set/get for both zoo networks")
    void parametersRoundTrip() {
        for (String spec : List.of("cnn:input=32", "resnet:input=32,filters=4,stages=2,blocks=1")) {
            Network a = ModelZoo.build(ModelSpec.parse(spec), Optimizer.adam(1e-3), 1);
            Network b = ModelZoo.build(ModelSpec.parse(spec), Optimizer.adam(1e-3), 2);
            float[] wa = a.parameters();
            assertEquals(a.numParams(), wa.length);
            assertFalse(Arrays.equals(wa, b.parameters()), "different seeds give different weights");
            // Values that are not representable in fewer bits: any rounding would change them.
            float[] odd = new float[wa.length];
            for (int i = 0; i < odd.length; i++) {
                odd[i] = Float.intBitsToFloat(0x3f800001 + i * 7919) * (i % 2 == 0 ? 1 : -1);
            }
            b.setParameters(odd);
            assertArrayEquals(odd, b.parameters());
            b.setParameters(wa);
            assertArrayEquals(wa, b.parameters());
            assertThrows(ModelsException.class, () -> b.setParameters(new float[3]));
        }
    }

    @Test
    @DisplayName("the update that leaves the site is w_local - w_global; applying it to w_global gives w_local")
    void updateIsDelta() {
        Network net = cnn(3);
        float[] global = net.parameters();
        TrainResult r = new LocalTrainer(new TrainConfig(1, 3, 16, 0, 3, false)).train(net, data, null);
        assertEquals(3, r.steps());
        float[] local = net.parameters();
        assertArrayEquals(ParameterVectors.delta(local, global), r.update());
        assertTrue(ParameterVectors.distance(local, global) > 0);
        float[] back = ParameterVectors.apply(global, r.update());
        for (int i = 0; i < back.length; i++) {
            assertEquals(local[i], back[i], Math.ulp(local[i]) * 2 + Math.ulp(global[i]) * 2);
        }
    }

    @Test
    @DisplayName("the model hash (SHA-256 of the parameters) is stable and changes with a one-ulp change")
    void parameterDigest() {
        Network a = cnn(4);
        Network b = cnn(4);
        assertEquals(a.parameterDigest(), b.parameterDigest());
        assertEquals(64, a.parameterDigest().length());
        float[] w = b.parameters();
        w[w.length / 2] = Math.nextUp(w[w.length / 2]);
        b.setParameters(w);
        assertFalse(a.parameterDigest().equals(b.parameterDigest()));
    }

    @Test
    @DisplayName("FedProx: with mu > 0 the local model ends closer to w_global than with mu = 0 (Adam and SGD)")
    void fedProxStaysCloser() {
        for (Optimizer opt : List.of(Optimizer.adam(2e-3), Optimizer.sgd(0.05))) {
            double[] dist = new double[3];
            double[] mus = {0, 0.1, 1.0};
            for (int k = 0; k < mus.length; k++) {
                Network net = ModelZoo.build(ModelSpec.parse("cnn:input=" + SIZE), opt, 5);
                float[] global = net.parameters();
                new LocalTrainer(new TrainConfig(2, 30, 16, mus[k], 5, false)).train(net, data, null);
                dist[k] = ParameterVectors.distance(net.parameters(), global);
            }
            assertTrue(dist[1] < dist[0] && dist[2] < dist[1],
                    opt.kind() + ": distance to w_global should shrink as mu grows: " + Arrays.toString(dist));
        }
    }

    @Test
    @DisplayName("Same seed, same data: bitwise identical parameters after training")
    void reproducible() {
        float[][] runs = new float[2][];
        for (int i = 0; i < 2; i++) {
            Network net = cnn(9);
            new LocalTrainer(new TrainConfig(1, 12, 16, 0, 9, true)).train(net, data, null);
            runs[i] = net.parameters();
        }
        assertArrayEquals(runs[0], runs[1]);
    }
}
