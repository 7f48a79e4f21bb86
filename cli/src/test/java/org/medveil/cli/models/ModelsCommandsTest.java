package org.medveil.cli.models;

import org.medveil.cli.CliRun;
import static org.medveil.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;

/** Runs {@code medveil synth} and {@code medveil train} in-process through the real command line. */
class ModelsCommandsTest {



    @Test
    void synthThenTrainPrintsLossAndHeldOutMetrics(@TempDir Path dir) {
        CliRun s = run("synth", "--sites", "2", "--patients", "30", "--seed", "4", "--out", dir.toString());
        assertEquals(0, s.exit(), s.err());
        assertTrue(s.out().contains("site-1: 30 images"), s.out());
        assertTrue(Files.isRegularFile(dir.resolve("site-2").resolve("labels.csv")));

        CliRun t = run("train", "--data", dir.resolve("site-1").toString(), dir.resolve("site-2").toString(),
                "--model", "cnn:input=16,filters=4", "--epochs", "2", "--seed", "3", "--test-fraction", "0.3");
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("epoch 1/2 loss") && t.out().contains("epoch 2/2 loss"), t.out());
        Matcher m = Pattern.compile("(?m)^test n=(\\d+) positives=\\d+ accuracy=([0-9.]+) auc=").matcher(t.out());
        assertTrue(m.find(), t.out());
        int n = Integer.parseInt(m.group(1));
        // 30 % of 60 images held out by UID hash: well inside [8, 30].
        assertTrue(n >= 8 && n <= 30, "held-out images: " + n);
        double acc = Double.parseDouble(m.group(2));
        assertTrue(acc >= 0 && acc <= 1);
        assertTrue(t.out().contains("test[site-1]") && t.out().contains("test[site-2]"), t.out());
    }

    /**
     * Both engines through the real command: same data, --engine picks the engine, --save writes a
     * model file that engine reads back to the parameters the command printed. The torch engine is
     * in every default build; a -Dno-torch build skips it (and fails under CI=true).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"dl4j", "torch"})
    void eachEngineTrainsAndSavesAModelItReadsBack(String engine, @TempDir Path dir) {
        org.medveil.testsupport.External.require(Engines.names().contains(engine),
                "training engine " + engine + " in this build (built with -Dno-torch?)");
        assertEquals(0, run("synth", "--sites", "1", "--patients", "24", "--seed", "6", "--out", dir.toString()).exit());
        Path saved = dir.resolve("model." + engine);
        CliRun t = run("train", "--engine", engine, "--data", dir.resolve("site-1").toString(),
                "--model", "cnn:input=16,filters=2,dense=4", "--epochs", "1", "--seed", "3", "--save", saved.toString());
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains(" on " + engine + " ("), t.out());
        Matcher m = Pattern.compile("parameters sha256=([0-9a-f]{64})").matcher(t.out());
        assertTrue(m.find(), t.out());
        try (TrainableModel back = Engines.named(engine).load(ModelSpec.parse("cnn:input=16,filters=2,dense=4"),
                Optimizer.adam(0.002), saved)) {
            assertEquals(m.group(1), back.parameterDigest(), "the saved model holds the trained parameters");
        }
    }

    @Test
    void anUnknownEngineIsRefusedNamingTheOnesThereAre(@TempDir Path dir) {
        CliRun t = run("train", "--engine", "tensorflow", "--data", dir.toString());
        assertEquals(1, t.exit());
        assertTrue(t.err().contains("'tensorflow' is not in this build") && t.err().contains("dl4j"), t.err());
    }

    @Test
    void errorsAreOneLineWithWhatToDo(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        CliRun noLabels = run("train", "--data", dir.resolve("empty").toString());
        assertEquals(1, noLabels.exit());
        assertEquals(1, noLabels.err().strip().lines().count(), noLabels.err());
        assertTrue(noLabels.err().contains("no labels.csv") && noLabels.err().contains("SOPInstanceUID,label"),
                noLabels.err());
        assertFalse(noLabels.err().contains("Exception"), noLabels.err());

        CliRun badModel = run("train", "--data", dir.toString(), "--model", "vgg16");
        assertEquals(1, badModel.exit());
        assertTrue(badModel.err().contains("unknown model 'vgg16'"), badModel.err());

        CliRun badSites = run("synth", "--sites", "0", "--out", dir.toString());
        assertEquals(1, badSites.exit());
        assertTrue(badSites.err().contains("--sites must be between 1 and 100"), badSites.err());
    }

    @Test
    void helpIsAvailable() {
        CliRun t = run("train", "--help");
        assertEquals(0, t.exit());
        assertTrue(t.out().contains("--model") && t.out().contains("--epochs"), t.out());
        CliRun s = run("synth", "--help");
        assertEquals(0, s.exit());
        assertTrue(s.out().contains("--patients"), s.out());
    }
}
