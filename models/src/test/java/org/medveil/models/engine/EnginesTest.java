package org.medveil.models.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;

/** Engine lookup and the DL4J engine behind the seam. */
class EnginesTest {

    @TempDir
    Path dir;

    @Test
    void dl4jIsFoundByNameAndIsTheDefault() {
        assertTrue(Engines.names().contains("dl4j"), Engines.names().toString());
        assertEquals("dl4j", Engines.named(null).name());
        assertEquals("dl4j", Engines.usable("dl4j").name());
    }

    @Test
    void anUnknownEngineNamesTheOnesThisBuildHas() {
        EngineException e = assertThrows(EngineException.class, () -> Engines.named("tensorflow"));
        assertTrue(e.getMessage().contains("'tensorflow' is not in this build") && e.getMessage().contains("dl4j"),
                e.getMessage());
    }

    @Test
    void dl4jRefusesATorchScriptModelWithTheEngineToUse() {
        EngineException e = assertThrows(EngineException.class, () -> Engines.named("dl4j")
                .build(ModelSpec.parse("torchscript:m.pt"), Optimizer.adam(1e-3), 1));
        assertTrue(e.getMessage().contains("--engine torch"), e.getMessage());
    }

    @Test
    void aSavedDl4jModelLoadsWithTheSameParameters() {
        TrainingEngine dl4j = Engines.named("dl4j");
        ModelSpec spec = ModelSpec.parse("cnn:input=16,filters=2,dense=4");
        TrainableModel m = dl4j.build(spec, Optimizer.adam(1e-3), 3);
        float[] w = new float[(int) m.numParams()];
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        m.setParameters(w);
        Path file = dir.resolve("model.zip");
        m.save(file);
        TrainableModel back = dl4j.load(spec, Optimizer.adam(1e-3), file);
        assertArrayEquals(w, back.parameters());
        assertEquals(m.parameterDigest(), back.parameterDigest());
        assertEquals("dl4j", back.engine());
    }
}
