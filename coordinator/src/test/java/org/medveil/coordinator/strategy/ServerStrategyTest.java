package org.medveil.coordinator.strategy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerStrategyTest {

    static final float[] W = {1f, 2f, -3f};
    static final float[] D = {0.5f, -1f, 0.25f};

    @Test
    void fedAvgAddsTheMeanUpdateScaledByTheServerLearningRate() {
        // η = 1: w + Δ̄ = [1 + 0.5, 2 − 1, −3 + 0.25]
        assertArrayEquals(new float[]{1.5f, 1f, -2.75f}, ServerStrategies.of("FedAvg", Map.of()).next(W, D));
        // η = 0.5: [1 + 0.25, 2 − 0.5, −3 + 0.125]
        assertArrayEquals(new float[]{1.25f, 1.5f, -2.875f},
                ServerStrategies.of("fedavg", Map.of("serverLearningRate", 0.5)).next(W, D));
        assertArrayEquals(new float[]{1f, 2f, -3f}, W, "the global model was modified in place");
    }

    @Test
    void fedProxIsFedAvgOnTheServerAndKeepsMuForTheSites() {
        ServerStrategy p = ServerStrategies.of("fedprox", Map.of("mu", 0.1));
        assertArrayEquals(new float[]{1.5f, 1f, -2.75f}, p.next(W, D));
        assertEquals(0.1, ((FedProx) p).mu());
        assertEquals(0.01, ((FedProx) ServerStrategies.of("fedprox", null)).mu());
        ServerStrategy back = ServerStrategies.restore(p.state());
        assertInstanceOf(FedProx.class, back);
        assertEquals(p.params(), back.params());
        assertFalse(back.hasState());
    }

    @Test
    void statelessStrategiesRoundTripTheirParameters() {
        ServerStrategy a = ServerStrategies.of("fedavg", Map.of("serverLearningRate", 0.7));
        ServerStrategy back = ServerStrategies.restore(a.state());
        assertEquals("fedavg", back.name());
        assertEquals(Map.of("serverLearningRate", 0.7), back.params());
        assertArrayEquals(a.next(W, D), back.next(W, D));
    }

    @Test
    void badNamesParametersAndShapesAreExplained() {
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> ServerStrategies.of("fedsgd", Map.of()));
        assertTrue(name.getMessage().contains("[fedadam, fedavg, fedprox]"), name.getMessage());
        IllegalArgumentException param = assertThrows(IllegalArgumentException.class,
                () -> ServerStrategies.of("fedadam", Map.of("lr", 0.1)));
        assertTrue(param.getMessage().contains("no parameter 'lr'") && param.getMessage().contains("beta1"),
                param.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerStrategies.of("fedadam", Map.of("beta1", 1.0)));
        assertThrows(IllegalArgumentException.class, () -> ServerStrategies.of("fedavg", Map.of("serverLearningRate", -1.0)));
        assertThrows(IllegalArgumentException.class, () -> ServerStrategies.of("fedprox", Map.of("mu", Double.NaN)));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> ServerStrategies.of("fedavg", Map.of()).next(W, new float[2]));
        assertTrue(shape.getMessage().contains("2 parameters"), shape.getMessage());
    }

    @Test
    void damagedStateIsRefused() {
        byte[] s = ServerStrategies.of("fedadam", Map.of()).state();
        assertThrows(IOException.class, () -> ServerStrategies.restore(new ByteArrayInputStream(Arrays.copyOf(s, 5))));
        byte[] bad = s.clone();
        bad[0] ^= 1;
        IOException magic = assertThrows(IOException.class, () -> ServerStrategies.restore(new ByteArrayInputStream(bad)));
        assertTrue(magic.getMessage().contains("not a MedVeil server strategy state"), magic.getMessage());
        byte[] longer = Arrays.copyOf(s, s.length + 1);
        assertThrows(IOException.class, () -> ServerStrategies.restore(new ByteArrayInputStream(longer)));
    }
}
