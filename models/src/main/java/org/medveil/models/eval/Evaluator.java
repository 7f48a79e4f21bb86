package org.medveil.models.eval;

import java.util.Arrays;
import java.util.List;
import org.medveil.models.data.DatasetException;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.engine.TrainableModel;

/** Accuracy, ROC AUC, sensitivity and specificity of a model (any engine) on labeled images. */
public final class Evaluator {

    private Evaluator() {}

    public static Metrics evaluate(TrainableModel net, List<LabeledImage> images) {
        if (images.isEmpty()) {
            throw new DatasetException("no images to evaluate on; use more data or a larger test fraction");
        }
        int n = images.size();
        double[] score = new double[n];
        int[] predicted = new int[n];
        int[] truth = new int[n];
        float[][] p = net.predict(images);
        for (int k = 0; k < n; k++) {
            truth[k] = images.get(k).label();
            score[k] = p[k][1];
            predicted[k] = argmax(p[k]);
        }
        return of(truth, predicted, score);
    }

    /** Metrics from true labels, predicted classes and scores for class 1. */
    public static Metrics of(int[] truth, int[] predicted, double[] score) {
        int n = truth.length;
        int correct = 0;
        int tp = 0;
        int fn = 0;
        int tn = 0;
        int fp = 0;
        for (int i = 0; i < n; i++) {
            correct += truth[i] == predicted[i] ? 1 : 0;
            boolean pos = truth[i] == 1;
            boolean predPos = predicted[i] == 1;
            if (pos) {
                if (predPos) { tp++; } else { fn++; }
            } else {
                if (predPos) { fp++; } else { tn++; }
            }
        }
        return new Metrics(n, tp + fn, (double) correct / n, auc(truth, score),
                tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn),
                tn + fp == 0 ? Double.NaN : (double) tn / (tn + fp));
    }

    /**
     * ROC AUC as the Mann–Whitney statistic: the probability that a random positive scores above a
     * random negative, ties counting one half (average ranks).
     */
    public static double auc(int[] truth, double[] score) {
        int n = truth.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(score[a], score[b]));
        double rankSumPos = 0;
        long pos = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && score[idx[j + 1]] == score[idx[i]]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (truth[idx[k]] == 1) {
                    rankSumPos += avgRank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
