package org.medveil.models.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelZoo;
import org.medveil.models.spec.Network;
import org.medveil.models.spec.Optimizer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training throughput of a zoo network on random data, for bench/models-dl4j-vs-torch.sh (which
 * runs the same CNN in PyTorch). Not a unit test: speed is measured here, by hand.
 * Arguments: {@code input batch warmupSteps steps filters}; prints one line "images/s: X".
 */
public final class TrainThroughput {
    private TrainThroughput() {}

    public static void main(String[] args) {
        int input = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        int filters = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        Network net = ModelZoo.build(ModelSpec.parse("cnn:input=" + input + ",filters=" + filters + ",dense=32"),
                Optimizer.adam(2e-3), 1);
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = new float[batch * input * input];
        float[] y = new float[batch * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        for (int i = 0; i < batch; i++) {
            y[2 * i + rng.nextInt(2)] = 1;
        }
        DataSet ds = new DataSet(Nd4j.create(x, new long[] {batch, 1, input, input}, 'c'),
                Nd4j.create(y, new long[] {batch, 2}, 'c'));
        for (int i = 0; i < warmup; i++) {
            net.graph().fit(ds);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            net.graph().fit(ds);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "dl4j cnn input=%d batch=%d filters=%d params=%d steps=%d: %.1f s, images/s: %.1f%n",
                input, batch, filters, net.numParams(), steps, seconds, steps * batch / seconds);
    }
}
