package org.medveil.coordinator.strategy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.coordinator.persistence.ModelFiles;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FedAdamTest {

    @TempDir
    Path tmp;

    static ServerStrategy adam() {
        return ServerStrategies.of("fedadam", Map.of("eta", 0.1, "beta1", 0.9, "beta2", 0.99, "tau", 0.001));
    }

    @Test
    void twoRoundsMatchTheHandComputedValues() {
        ServerStrategy s = adam();
        // round 1, Δ̄ = [0.2, −0.4], m = v = 0:
        //   m = 0.1·Δ̄ = [0.02, −0.04]; v = 0.01·Δ̄² = [0.0004, 0.0016]; √v = [0.02, 0.04]
        //   w = [1 + 0.1·0.02/0.021, −1 + 0.1·(−0.04/0.041)] = [1.0952381, −1.0975610]
        float[] w1 = s.next(new float[]{1f, -1f}, new float[]{0.2f, -0.4f});
        assertArrayEquals(new float[]{1.0952381f, -1.0975610f}, w1, 1e-6f);
        assertArrayEquals(new float[]{0.02f, -0.04f}, ((FedAdam) s).m(), 1e-7f);
        assertArrayEquals(new float[]{0.0004f, 0.0016f}, ((FedAdam) s).v(), 1e-9f);
        // round 2, Δ̄ = [0.2, 0.4]:
        //   m = 0.9·m + 0.1·Δ̄ = [0.038, 0.004]; v = 0.99·v + 0.01·Δ̄² = [0.000796, 0.003184]
        //   √v = [0.0282135, 0.0564269]; step = 0.1·m/(√v + 0.001) = [0.1300770, 0.0069654]
        //   w = [1.0952381 + 0.1300770, −1.0975610 + 0.0069654] = [1.2253151, −1.0905956]
        float[] w2 = s.next(w1, new float[]{0.2f, 0.4f});
        assertArrayEquals(new float[]{1.2253151f, -1.0905956f}, w2, 1e-6f);
        assertArrayEquals(new float[]{0.038f, 0.004f}, ((FedAdam) s).m(), 1e-7f);
        assertArrayEquals(new float[]{0.000796f, 0.003184f}, ((FedAdam) s).v(), 1e-9f);
    }

    @Test
    void aRestartedFedAdamContinuesIdentically() throws Exception {
        Random r = new Random(7);
        int n = 1000;
        float[][] deltas = new float[4][n];
        float[] w0 = new float[n];
        for (int i = 0; i < n; i++) {
            w0[i] = (float) r.nextGaussian();
            for (float[] d : deltas) {
                d[i] = (float) (0.01 * r.nextGaussian());
            }
        }
        ServerStrategy uninterrupted = adam();
        float[] expected = w0;
        for (float[] d : deltas) {
            expected = uninterrupted.next(expected, d);
        }

        // a coordinator runs two rounds, saves model and strategy state as files and their digests in
        // its store, dies; a new one restores both from the store and runs the last two rounds
        ModelFiles files = ModelFiles.open(tmp.resolve("models"));
        String url = "jdbc:sqlite:" + tmp.resolve("coordinator.db");
        try (CoordinatorStore store = CoordinatorStore.open(url)) {
            store.insertJob("j", "job".getBytes(StandardCharsets.UTF_8), new byte[]{1}, new byte[]{2}, "spec", Instant.now());
            ServerStrategy first = adam();
            float[] w = w0;
            String in = files.writeFloats(w);
            for (int round = 1; round <= 2; round++) {
                int attempt = store.startRound("j", round, in, Instant.now());
                w = first.next(w, deltas[round - 1]);
                String out = files.writeFloats(w);
                String state = files.write(first::writeState);
                store.finishRound("j", round, attempt, out, state, "{}", Instant.now());
                in = out;
            }
        }
        float[] resumed;
        try (CoordinatorStore store = CoordinatorStore.open(url)) {
            CoordinatorStore.Round last = store.lastCompletedRound("j").orElseThrow();
            assertEquals(2, last.round());
            ServerStrategy restored;
            try (InputStream state = files.open(last.strategyStateDigest())) {
                restored = ServerStrategies.restore(state);
            }
            resumed = files.readFloats(last.modelOutDigest());
            for (int round = 3; round <= 4; round++) {
                resumed = restored.next(resumed, deltas[round - 1]);
            }
        }
        assertArrayEquals(expected, resumed, 0f); // bit for bit
    }

    @Test
    void stateOfAnotherModelSizeIsRefused() {
        ServerStrategy s = adam();
        s.next(new float[3], new float[]{1, 2, 3});
        ServerStrategy back = ServerStrategies.restore(s.state());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> back.next(new float[2], new float[2]));
        assertTrue(e.getMessage().contains("FedAdam state has 3 parameters"), e.getMessage());
    }
}
