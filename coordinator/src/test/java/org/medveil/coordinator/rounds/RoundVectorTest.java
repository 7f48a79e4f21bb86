package org.medveil.coordinator.rounds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medveil.proto.rounds.Metrics;

/** The round vector's layout, the metrics computed from sums, and model parts. */
class RoundVectorTest {

    @Test
    void aucFromHistogramsMatchesPairwiseCountingOfExamples() {
        Random rnd = new Random(5);
        long[] pos = new long[RoundVector.BINS];
        long[] neg = new long[RoundVector.BINS];
        int[] p = new int[300];
        int[] n = new int[200];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.min(99, 30 + rnd.nextInt(70));
            pos[p[i]]++;
        }
        for (int i = 0; i < n.length; i++) {
            n[i] = rnd.nextInt(60);
            neg[n[i]]++;
        }
        double wins = 0;
        for (int a : p) {
            for (int b : n) {
                wins += a > b ? 1 : a == b ? 0.5 : 0;
            }
        }
        assertEquals(wins / (p.length * (double) n.length), RoundVector.auc(pos, neg), 1e-12);
        assertTrue(Double.isNaN(RoundVector.auc(new long[RoundVector.BINS], neg)), "no positives: AUC undefined");
    }

    @Test
    void metricsAndMeanDeltaComeFromTheSummedLayout() {
        int params = 3;
        double[] sum = new double[(int) RoundVector.length(params)];
        sum[0] = 10;
        sum[1] = -20;
        sum[2] = 5;
        sum[params] = 8;      // TP
        sum[params + 1] = 2;  // FP
        sum[params + 2] = 6;  // TN
        sum[params + 3] = 4;  // FN
        sum[params + 4] = 5;  // loss·examples over 20 examples
        sum[sum.length - 1] = 10;
        assertArrayEquals(new float[] {1f, -2f, 0.5f}, RoundVector.meanDelta(sum, params));
        Metrics m = RoundVector.metrics(sum, params);
        assertEquals(0.7, m.getAccuracy(), 1e-12);
        assertEquals(8.0 / 12, m.getSensitivity(), 1e-12);
        assertEquals(0.75, m.getSpecificity(), 1e-12);
        assertEquals(0.25, m.getMeanLoss(), 1e-12);
        sum[sum.length - 1] = 0;
        assertThrows(RoundFailedException.class, () -> RoundVector.meanDelta(sum, params));
    }

    @Test
    void modelPartsRoundTripAndSplitAtThePartSize() {
        float[] v = new float[10];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5f - 2;
        }
        List<byte[]> parts = Parts.floats(v, 4);
        assertEquals(3, parts.size());
        assertEquals(8, parts.get(2).length);
        assertArrayEquals(v, Parts.readFloats(parts.iterator(), 10, "model"));
        assertThrows(IllegalArgumentException.class, () -> Parts.readFloats(parts.iterator(), 11, "model"));
        assertEquals(1, Parts.floats(new float[0], 4).size());
    }
}
