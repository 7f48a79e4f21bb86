package org.medveil.models.eval;

import java.util.Locale;

/**
 * Binary classification metrics for the positive class (label 1) on n images.
 * {@code auc} is NaN when the set lacks one of the classes; sensitivity/specificity likewise.
 */
public record Metrics(int n, int positives, double accuracy, double auc, double sensitivity, double specificity) {

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "n=%d positives=%d accuracy=%.4f auc=%.4f sensitivity=%.4f specificity=%.4f",
                n, positives, accuracy, auc, sensitivity, specificity);
    }
}
