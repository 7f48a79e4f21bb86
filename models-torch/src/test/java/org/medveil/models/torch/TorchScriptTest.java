package org.medveil.models.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.models.ModelsException;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.data.Split;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TorchScriptFile;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.engine.TrainingEngine;
import org.medveil.models.eval.Evaluator;
import org.medveil.models.eval.Metrics;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelSpecException;
import org.medveil.models.spec.Optimizer;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;
import org.medveil.testsupport.External;

/** TorchScript files exported by the project's own script with Debian's python3-torch. */
class TorchScriptTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path EXPORT = Path.of("src/test/python/export_torchscript.py");
    private static final TrainingEngine TORCH = Engines.named("torch");
    private static final int SIZE = 32;

    @TempDir
    static Path dir;

    @BeforeAll
    static void python() throws IOException {
        boolean ok = Files.isExecutable(PYTHON)
                && External.run(List.of(PYTHON.toString(), "-c", "import torch")).exit() == 0;
        External.require(ok, "/usr/bin/python3 cannot import torch (apt-get install -y python3-torch)");
    }

    /** Exports the script's CNN with {@code seed} to {@code name} in the test folder. */
    static Path export(String name, int seed) throws IOException {
        Path out = dir.resolve(name);
        External.Result r = External.run(List.of(PYTHON.toString(), EXPORT.toString(), out.toString(),
                Integer.toString(seed)));
        assertEquals(0, r.exit(), r.err(StandardCharsets.UTF_8));
        return out;
    }

    private static ModelSpec pinned(Path file) {
        return TorchScriptFile.pinned(ModelSpec.parse("torchscript:" + file.getFileName() + ",input=" + SIZE), dir);
    }

    @Test
    @DisplayName("A TorchScript CNN exported from Python trains from Java: held-out AUC >= 0.75 on the synthetic task")
    void learns() throws IOException {
        ModelSpec spec = pinned(export("learn.pt", 1));
        List<LabeledImage> data = Synth.sites(2024, 3, 200, SIZE);
        Split split = Split.holdOut(data, 0.25, 1);
        try (TrainableModel m = TORCH.build(spec.with("file", dir.resolve("learn.pt").toString()), Optimizer.adam(3e-3), 1)) {
            TrainResult r = m.train(split.train(), TrainConfig.epochs(10, 16, 1), null);
            Metrics metrics = Evaluator.evaluate(m, split.test());
            System.out.println("torchscript held-out " + metrics);
            // Same bound and reasoning as models' TrainingTest: ~150 test images, so AUC 0.75 is about
            // five standard errors above chance.
            assertTrue(metrics.auc() >= 0.75, "AUC " + metrics + ", losses " + r.epochLosses());
            assertTrue(r.epochLosses().get(r.epochLosses().size() - 1) < r.epochLosses().get(0), r.epochLosses().toString());
        }
    }

    @Test
    @DisplayName("The initial parameters are the file's own, in parameters() order, row-major, whatever the seed")
    void fileWeightsInOrder() throws IOException {
        Path file = export("weights.pt", 7);
        ModelSpec spec = located(pinned(file));
        float[] python = floats(Files.readAllBytes(Path.of(file + ".params")));
        try (TrainableModel a = TORCH.build(spec, Optimizer.adam(1e-3), 1);
             TrainableModel b = TORCH.build(spec, Optimizer.adam(1e-3), 2)) {
            assertEquals(python.length, a.numParams());
            assertArrayEquals(TorchEngineTest.bits(python), TorchEngineTest.bits(a.parameters()));
            assertArrayEquals(TorchEngineTest.bits(python), TorchEngineTest.bits(b.parameters()));
        }
    }

    @Test
    @DisplayName("A file whose SHA-256 differs from the spec's sha256 is refused before it is loaded")
    void digestMismatchRefused() throws IOException {
        Path file = export("swap.pt", 1);
        ModelSpec spec = located(pinned(file));
        try (TrainableModel ok = TORCH.build(spec, Optimizer.adam(1e-3), 1)) {
            assertEquals(6018, ok.numParams());
        }
        export("swap.pt", 2); // someone replaces the file after the job was signed
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> TORCH.build(spec, Optimizer.adam(1e-3), 1));
        assertTrue(e.getMessage().contains("refusing to run it") && e.getMessage().contains(spec.params().get("sha256")),
                e.getMessage());
    }

    @Test
    @DisplayName("save/load: trained weights come back bit for bit into the verified module; Python can load the saved file")
    void saveLoad() throws IOException {
        ModelSpec spec = located(pinned(export("save.pt", 3)));
        Path saved = dir.resolve("trained.pt");
        float[] w;
        try (TrainableModel m = TORCH.build(spec, Optimizer.adam(3e-3), 3)) {
            float[] before = m.parameters();
            m.train(Synth.sites(5, 2, 20, SIZE), new TrainConfig(1, 3, 8, 0, 3, false), null);
            w = m.parameters();
            assertFalse(java.util.Arrays.equals(before, w), "training changed the weights");
            m.save(saved);
        }
        try (TrainableModel back = TORCH.load(spec, Optimizer.adam(3e-3), saved)) {
            assertArrayEquals(TorchEngineTest.bits(w), TorchEngineTest.bits(back.parameters()));
        }
        External.Result r = External.run(List.of(PYTHON.toString(), "-c",
                "import sys, torch; m = torch.jit.load(sys.argv[1]); print(sum(p.numel() for p in m.parameters()))",
                saved.toString()));
        assertEquals(0, r.exit(), r.err(StandardCharsets.UTF_8));
        assertEquals("6018", r.out(StandardCharsets.UTF_8).strip());
    }

    @Test
    @DisplayName("A spec whose classes do not match the module's output width is refused with what to set")
    void wrongClasses() throws IOException {
        ModelSpec spec = located(pinned(export("classes.pt", 1))).with("classes", "3");
        try (TrainableModel m = TORCH.build(spec, Optimizer.adam(1e-3), 1)) {
            ModelsException e = assertThrows(ModelsException.class,
                    () -> m.train(Synth.sites(5, 1, 8, SIZE), TrainConfig.epochs(1, 8, 1), null));
            assertTrue(e.getMessage().contains("classes=3") && e.getMessage().contains("[8, 2]"), e.getMessage());
        }
    }

    /** The spec with file= the absolute path (what a site's TorchScriptFile.locatedIn gives). */
    private static ModelSpec located(ModelSpec spec) {
        return TorchScriptFile.locatedIn(spec, dir);
    }

    private static float[] floats(byte[] bytes) {
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }
}
