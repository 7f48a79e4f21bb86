package org.medveil.models.torch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.data.Split;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.eval.Evaluator;
import org.medveil.models.eval.Metrics;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;

/**
 * Both engines in one JVM (which is itself the proof that one JavaCPP 1.5.13 serves DL4J and
 * libtorch), same spec, seed and batches, on the synthetic multi-site task.
 */
class ParityTest {
    @Test
    @DisplayName("Parity: cnn on 3 synthetic sites, same spec and seed: both engines reach held-out AUC >= 0.75 and differ by <= 0.1")
    void comparableAuc() {
        List<LabeledImage> data = Synth.sites(2024, 3, 200, 32);
        Split split = Split.holdOut(data, 0.25, 1);
        ModelSpec spec = ModelSpec.parse("cnn:input=32");
        String[] engines = {"dl4j", "torch"};
        double[] auc = new double[engines.length];
        double[] firstLoss = new double[engines.length];
        for (int i = 0; i < engines.length; i++) {
            try (TrainableModel m = Engines.usable(engines[i]).build(spec, Optimizer.adam(2e-3), 1)) {
                TrainResult r = m.train(split.train(), TrainConfig.epochs(8, 16, 1), null);
                Metrics metrics = Evaluator.evaluate(m, split.test());
                auc[i] = metrics.auc();
                firstLoss[i] = r.epochLosses().get(0);
                System.out.printf(Locale.ROOT, "%s: %s, epoch losses %s%n", engines[i], metrics, r.epochLosses());
            }
        }
        // Measured with seeds 1, 2, 3 (models-torch/README.md): DL4J 0.904 / 0.860 / 0.853, torch
        // 0.858 / 0.805 / 0.859; largest difference 0.055. The engines draw different initial
        // weights from a seed, so equal AUCs are not expected; 0.1 allows that and still fails an
        // engine that trains a different objective. 0.75 is models' TrainingTest bound (five
        // standard errors above chance for ~150 test images).
        for (int i = 0; i < engines.length; i++) {
            assertTrue(auc[i] >= 0.75, engines[i] + " AUC " + auc[i]);
            // Both start from He-initialized weights on a balanced-ish task: first-epoch loss near ln 2.
            assertTrue(Math.abs(firstLoss[i] - Math.log(2)) < 0.15, engines[i] + " first-epoch loss " + firstLoss[i]);
        }
        assertTrue(Math.abs(auc[0] - auc[1]) <= 0.1, "dl4j AUC " + auc[0] + " vs torch AUC " + auc[1]);
    }
}
