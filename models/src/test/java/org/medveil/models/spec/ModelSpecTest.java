package org.medveil.models.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

    @Test
    @DisplayName("Specs parse to name and parameters and print in one canonical form")
    void parseAndCanonicalForm() {
        ModelSpec s = ModelSpec.parse(" resnet:filters=4, input=32 ");
        assertEquals("resnet", s.name());
        assertEquals(Map.of("input", "32", "filters", "4"), s.params());
        assertEquals("resnet:filters=4,input=32", s.toString());
        assertEquals(s, ModelSpec.parse(s.toString()));
        assertEquals("cnn", ModelSpec.parse("cnn").toString());
    }

    @Test
    @DisplayName("Bad specs fail with a message naming the problem")
    void badSpecs() {
        assertTrue(assertThrows(ModelSpecException.class, () -> ModelSpec.parse("cnn:input"))
                .getMessage().contains("key=value"));
        assertTrue(assertThrows(ModelSpecException.class, () -> ModelSpec.parse("cnn:input=1,input=2"))
                .getMessage().contains("twice"));
        assertTrue(assertThrows(ModelSpecException.class,
                () -> ModelZoo.build(ModelSpec.parse("vgg"), Optimizer.adam(1e-3), 1))
                .getMessage().contains("unknown model 'vgg'"));
        assertTrue(assertThrows(ModelSpecException.class,
                () -> ModelZoo.build(ModelSpec.parse("cnn:depth=3"), Optimizer.adam(1e-3), 1))
                .getMessage().contains("no hyperparameter 'depth'"));
        assertTrue(assertThrows(ModelSpecException.class,
                () -> ModelZoo.build(ModelSpec.parse("cnn:input=2"), Optimizer.adam(1e-3), 1))
                .getMessage().contains("out of range"));
        assertTrue(assertThrows(ModelSpecException.class,
                () -> ModelZoo.build(ModelSpec.parse("cnn:filters=x"), Optimizer.adam(1e-3), 1))
                .getMessage().contains("not an integer"));
    }
}
