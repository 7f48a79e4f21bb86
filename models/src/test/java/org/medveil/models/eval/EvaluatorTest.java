package org.medveil.models.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    @Test
    @DisplayName("AUC counts positive-above-negative pairs, ties as one half")
    void aucByHand() {
        // Positives score 0.9, 0.4, 0.6; negatives 0.1, 0.4, 0.7.
        // Pairs won: 0.9 beats 3; 0.4 beats 0.1, ties 0.4 (0.5); 0.6 beats 0.1 and 0.4 -> 3 + 1.5 + 2 = 6.5 of 9.
        int[] truth = {1, 0, 1, 0, 1, 0};
        double[] score = {0.9, 0.1, 0.4, 0.4, 0.6, 0.7};
        assertEquals(6.5 / 9, Evaluator.auc(truth, score), 1e-12);
        assertEquals(1.0, Evaluator.auc(new int[] {0, 0, 1, 1}, new double[] {0.1, 0.2, 0.3, 0.4}), 1e-12);
        assertEquals(0.0, Evaluator.auc(new int[] {1, 1, 0, 0}, new double[] {0.1, 0.2, 0.3, 0.4}), 1e-12);
        assertTrue(Double.isNaN(Evaluator.auc(new int[] {1, 1}, new double[] {0.1, 0.2})));
    }

    @Test
    @DisplayName("Accuracy, sensitivity and specificity from the confusion matrix")
    void confusionMatrix() {
        int[] truth = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
        int[] pred = {1, 1, 1, 0, 0, 0, 0, 0, 1, 1};
        Metrics m = Evaluator.of(truth, pred, new double[10]);
        assertEquals(10, m.n());
        assertEquals(4, m.positives());
        assertEquals(0.7, m.accuracy(), 1e-12);
        assertEquals(0.75, m.sensitivity(), 1e-12);
        assertEquals(4.0 / 6, m.specificity(), 1e-12);
        assertEquals(0.5, m.auc(), 1e-12, "all scores tied");
    }
}
