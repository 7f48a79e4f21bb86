package org.medveil.models.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FedProx's proximal term μ/2·‖w − w_global‖², added as its gradient μ·(w − w_global).
 *
 * <p>DL4J 1.0.0-M2.1's {@code BaseOptimizer.gradientAndScore} calls
 * {@code onGradientCalculation} after {@code computeGradientAndScore} and before
 * {@code updateGradientAccordingToParams} (checked in the released bytecode), and the updater
 * reads the model's flattened gradient view, so adding into that view here changes the step the
 * optimizer takes (Adam or SGD). The reported score does not include the proximal term.
 */
final class FedProxListener extends BaseTrainingListener {
    private final INDArray global;
    private final double mu;

    FedProxListener(INDArray global, double mu) {
        this.global = global;
        this.mu = mu;
    }

    @Override
    public void onGradientCalculation(Model model) {
        INDArray gradient = model.getGradientsViewArray();
        INDArray w = model.params();
        gradient.addi(w.sub(global).muli(mu));
    }
}
