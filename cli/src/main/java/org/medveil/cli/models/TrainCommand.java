package org.medveil.cli.models;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.medveil.models.data.DicomImageReader;
import org.medveil.models.data.LabeledFolders;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.data.Normalization;
import org.medveil.models.data.Split;
import org.medveil.models.eval.Evaluator;
import org.medveil.models.eval.Metrics;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TorchScriptFile;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code medveil train}: trains one model spec on folders of DICOM with label sidecars and reports
 * per-epoch loss and held-out metrics, so an ML team can try a spec before federating it.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model spec locally on labeled DICOM folders; report held-out metrics.",
                "Each folder holds DICOM files and a labels.csv (SOPInstanceUID,label). Prints per-epoch",
                "loss, throughput, the parameter SHA-256 and held-out accuracy, ROC AUC, sensitivity and",
                "specificity. The same --seed and thread count (OMP_NUM_THREADS) give the same result."})
public final class TrainCommand implements Runnable {

    @Option(names = "--data", paramLabel = "DIR", arity = "1..*", required = true,
            description = "Data folders (DICOM files + labels.csv).")
    List<Path> data;

    @Option(names = "--test", paramLabel = "DIR", arity = "1..*",
            description = "Evaluate on these folders instead of holding out part of --data.")
    List<Path> test;

    @Option(names = "--model", paramLabel = "SPEC", defaultValue = "cnn",
            description = "Model spec name[:key=value,...], e.g. cnn:input=64,filters=8 or "
                    + "resnet:input=64,stages=2,blocks=1, or torchscript:FILE.pt[,input=64,classes=2] for a module"
                    + " scripted in PyTorch (needs --engine torch) (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--engine", paramLabel = "dl4j|torch", defaultValue = Engines.DEFAULT,
            description = "Training engine: dl4j (DeepLearning4J) or torch (libtorch, PyTorch's C++ core; needs"
                    + " glibc >= 2.35) (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Write the trained model in the engine's own format (DL4J zip, or TorchScript for torch).")
    Path save;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0",
            description = "Stop after N mini-batch steps in total; 0 = no limit (default).")
    int maxSteps;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed for weights, shuffling, augmentation and the held-out split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--optimizer", paramLabel = "adam|sgd", defaultValue = "adam", description = "Optimizer (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.002", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--mu", paramLabel = "MU", defaultValue = "0",
            description = "FedProx proximal weight towards the initial weights (default: ${DEFAULT-VALUE}).")
    double mu;

    @Option(names = "--augment", negatable = false, description = "Random flips and contrast changes while training.")
    boolean augment;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "Share of --data held out for evaluation when --test is not given (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (epochs < 1 || epochs > 10_000) {
            throw new IllegalArgumentException("--epochs must be between 1 and 10000, got " + epochs);
        }
        if (!(testFraction > 0 && testFraction < 1) && test == null) {
            throw new IllegalArgumentException("--test-fraction must be in (0, 1), got " + testFraction);
        }
        PrintWriter out = spec.commandLine().getOut();
        Optimizer opt = new Optimizer(Optimizer.kindOf(optimizer), learningRate);
        TrainConfig config;
        try {
            config = new TrainConfig(epochs, maxSteps, batchSize, mu, seed, augment);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid training option: " + e.getMessage(), e);
        }
        ModelSpec modelSpec = ModelSpec.parse(model);
        if (ModelSpec.TORCHSCRIPT.equals(modelSpec.name())) {
            modelSpec = TorchScriptFile.pinned(modelSpec, Path.of(""));
        }
        try (TrainableModel net = Engines.usable(engine).build(modelSpec, opt, seed)) {
            train(net, opt, config, out);
        }
    }

    private void train(TrainableModel net, Optimizer opt, TrainConfig config, PrintWriter out) {
        LabeledFolders folders = new LabeledFolders(new DicomImageReader(Normalization.DEFAULT, net.inputSize()));

        LabeledFolders.Loaded loaded = folders.load(data);
        List<LabeledImage> train;
        List<LabeledImage> eval;
        String how;
        if (test == null) {
            Split split = Split.holdOut(loaded.images(), testFraction, seed);
            train = split.train();
            eval = split.test();
            how = String.format(Locale.ROOT, "held out %.0f%% of --data", testFraction * 100);
        } else {
            train = loaded.images();
            eval = folders.load(test).images();
            how = "--test folders";
        }
        out.printf(Locale.ROOT, "model %s on %s (%d parameters), %s %.4g; %d training images from %d folder(s)%s, "
                        + "%d test images (%s)%n", net.spec(), net.engine(), net.numParams(), opt.kind().name().toLowerCase(Locale.ROOT),
                opt.learningRate(), train.size(), data.size(),
                loaded.unlabeled() > 0 ? " (" + loaded.unlabeled() + " unlabeled skipped)" : "", eval.size(), how);
        out.flush();

        TrainResult r = net.train(train, config, (epoch, loss) -> {
            out.printf(Locale.ROOT, "epoch %d/%d loss %.4f%n", epoch, epochs, loss);
            out.flush();
        });
        out.printf(Locale.ROOT, "trained %d steps, %d images in %.1f s of fitting: %.1f images/s%n",
                r.steps(), r.images(), r.fitSeconds(), r.imagesPerSecond());
        out.println("parameters sha256=" + net.parameterDigest());
        out.println("test " + Evaluator.evaluate(net, eval));
        Map<String, List<LabeledImage>> bySource = new TreeMap<>();
        for (LabeledImage im : eval) {
            bySource.computeIfAbsent(im.source(), k -> new ArrayList<>()).add(im);
        }
        if (bySource.size() > 1) {
            bySource.forEach((source, images) -> out.println("test[" + source + "] " + Evaluator.evaluate(net, images)));
        }
        if (save != null) {
            net.save(save);
            out.println("saved " + save);
        }
        out.flush();
    }
}
