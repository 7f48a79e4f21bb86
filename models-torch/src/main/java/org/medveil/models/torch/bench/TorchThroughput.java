package org.medveil.models.torch.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;

/**
 * Training throughput of the zoo cnn in the torch engine on random data, for
 * bench/models-dl4j-vs-torch.sh (next to models' TrainThroughput for DL4J and the same network in
 * Python PyTorch). It runs the engine's real training path: each step turns Java float arrays
 * into tensors, adds L2 to the gradients and frees the step's native memory; the timing covers
 * the steps only, as in the other two. Arguments: {@code input batch warmupSteps steps filters};
 * prints one line ending "images/s: X".
 */
public final class TorchThroughput {
    private TorchThroughput() {}

    public static void main(String[] args) {
        int input = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        int filters = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        var engine = Engines.usable("torch");
        SplittableRandom rng = new SplittableRandom(1);
        List<LabeledImage> images = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            float[] px = new float[input * input];
            for (int k = 0; k < px.length; k++) {
                px[k] = (float) rng.nextDouble();
            }
            images.add(new LabeledImage("1.2.826.0.1." + i, "bench", input, px, rng.nextInt(2)));
        }
        ModelSpec spec = ModelSpec.parse("cnn:input=" + input + ",filters=" + filters + ",dense=32");
        try (TrainableModel m = engine.build(spec, Optimizer.adam(2e-3), 1)) {
            // One image set of exactly one batch: every epoch is one step.
            m.train(images, TrainConfig.epochs(Math.max(1, warmup), batch, 1), null);
            TrainResult r = m.train(images, TrainConfig.epochs(steps, batch, 2), null);
            System.out.printf(Locale.ROOT,
                    "torch-java cnn input=%d batch=%d filters=%d params=%d steps=%d threads=%d: %.1f s, images/s: %.1f%n",
                    input, batch, filters, m.numParams(), r.steps(), org.bytedeco.pytorch.global.torch.get_num_threads(),
                    r.fitSeconds(), r.imagesPerSecond());
        }
    }
}
