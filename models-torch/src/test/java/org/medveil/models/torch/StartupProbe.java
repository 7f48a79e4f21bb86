package org.medveil.models.torch;

import java.util.ArrayList;
import java.util.List;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;

/**
 * Run in a fresh JVM by {@link EmptyCacheStartupTest}: starts the torch engine, builds the zoo
 * cnn and trains one step on a few constant images. Prints "trained steps=1 ..." on success.
 */
public final class StartupProbe {
    private StartupProbe() {}

    public static void main(String[] args) {
        var engine = Engines.usable("torch");
        List<LabeledImage> images = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            float[] px = new float[16 * 16];
            java.util.Arrays.fill(px, i / 4f);
            images.add(new LabeledImage("1.2.3." + i, "probe", 16, px, i % 2));
        }
        try (TrainableModel m = engine.build(ModelSpec.parse("cnn:input=16"), Optimizer.adam(1e-3), 1)) {
            TrainResult r = m.train(images, new TrainConfig(1, 1, 4, 0, 1, false), null);
            System.out.println("trained steps=" + r.steps() + " params=" + m.numParams());
        }
    }
}
