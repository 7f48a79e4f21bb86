package org.medveil.site.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.job.DataSelection;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.data.Split;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TorchScriptFile;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;
import org.medveil.models.train.TrainConfig;
import org.medveil.models.train.TrainResult;
import org.medveil.site.federation.LocalTraining;
import org.medveil.site.store.ObjectStore;

/**
 * {@link LocalTraining} over the site store: selects with {@link TrainingData}, decrypts into
 * memory, splits off a held-out part ({@link #HOLD_OUT_FRACTION}, seeded by the job seed), trains
 * from the global parameters with the job's training engine (Adam at the request's learning
 * rate, FedProx μ), and evaluates on the held-out part. A TorchScript model is taken only from
 * the site's models folder and only when its digest is the one the job names. Every summary and every round
 * writes one audit record ({@value #SELECTION_RECORD}, {@value #ROUND_RECORD}) with job id, round,
 * counts and digests only — never a patient key, name, ID, UID or date.
 */
public final class StoreLocalTraining implements LocalTraining {

    /** Share of the selected images held out for evaluation (by hash of seed and UID). */
    public static final double HOLD_OUT_FRACTION = 0.2;
    /** Audit record type of {@link #summarize}. */
    public static final String SELECTION_RECORD = "training-selection";
    /** Audit record type of {@link #train}. */
    public static final String ROUND_RECORD = "training-round";
    /** Actor of the records: the daemon itself. */
    public static final String ACTOR = "site-node";

    private final TrainingData data;
    private final AuditLog audit;
    private final String deidProfileDigest;
    private final Path modelsDir;

    /**
     * @param deidProfileDigest SHA-256 (hex) of the de-identification profile the derivatives were
     *                          made with; the store does not record it per object, so the site
     *                          passes its configured profile's digest ({@link #profileDigest(Path)})
     * @param modelsDir         the site's approved TorchScript files, or null when it has none
     */
    public StoreLocalTraining(ObjectStore store, AuditLog audit, String deidProfileDigest, ConsentRules rules,
            Clock clock, Path modelsDir) {
        this.data = new TrainingData(store, rules, clock);
        this.audit = Objects.requireNonNull(audit, "audit");
        this.deidProfileDigest = Objects.requireNonNull(deidProfileDigest, "deidProfileDigest");
        this.modelsDir = modelsDir;
    }

    /**
     * The model a job names, as this site will run it: its engine is in this build and runs here,
     * and a TorchScript file is in the site's models folder with the job's digest. Sites call it
     * when they accept a job, so a job they cannot train is declined with the reason up front.
     */
    @Override
    public void checkModel(String engine, String model) {
        ModelSpec spec = siteModel(engine, model);
        if (ModelSpec.TORCHSCRIPT.equals(spec.name())) {
            TorchScriptFile.verifiedBytes(spec); // the digest now; the engine checks it again on every load
        }
    }

    private ModelSpec siteModel(String engine, String model) {
        Engines.usable(engine);
        ModelSpec spec = ModelSpec.parse(model);
        return ModelSpec.TORCHSCRIPT.equals(spec.name()) ? TorchScriptFile.locatedIn(spec, modelsDir) : spec;
    }

    /** SHA-256 (hex) of a de-identification profile file's bytes, e.g. {@code deid/basic.yaml}. */
    public static String profileDigest(Path profileFile) {
        try {
            return HexFormat.of().formatHex(sha256().digest(Files.readAllBytes(profileFile)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the de-identification profile " + profileFile
                    + " to compute its digest: " + e.getMessage(), e);
        }
    }

    @Override
    public DataSummary summarize(DataSelection selection) {
        List<TrainingData.Selected> selected = data.select(selection);
        DataSummary summary = summary(selected);
        Map<String, String> f = selectionFields(selection, summary);
        audit.append(SELECTION_RECORD, ACTOR, f);
        return summary;
    }

    @Override
    public TrainingOutcome train(TrainingRequest r) {
        Objects.requireNonNull(r, "request");
        ModelSpec spec = siteModel(r.engine(), r.modelSpec());
        try (TrainableModel net = Engines.usable(r.engine()).build(spec, Optimizer.adam(r.learningRate()), r.seed())) {
            return train(r, net);
        }
    }

    private TrainingOutcome train(TrainingRequest r, TrainableModel net) {
        if (r.global().length != net.numParams()) {
            throw new IllegalArgumentException("job " + r.jobId() + " round " + r.round() + ": the global parameter"
                    + " vector has " + r.global().length + " values but model " + r.modelSpec() + " has "
                    + net.numParams() + "; the coordinator sent parameters for another model spec");
        }
        net.setParameters(r.global());

        List<TrainingData.Selected> selected = data.select(r.selection());
        DataSummary summary = summary(selected);
        for (TrainingData.Selected s : selected) {
            if (s.label() >= net.classes()) {
                throw new IllegalStateException("object " + s.objectId() + " has class " + s.label() + " but model "
                        + r.modelSpec() + " has " + net.classes() + " classes; fix the labels or the model's classes");
            }
        }
        Split split = Split.holdOut(data.load(selected, net.inputSize()), HOLD_OUT_FRACTION, r.splitSeed());
        if (split.train().isEmpty()) {
            throw new IllegalStateException("job " + r.jobId() + " round " + r.round() + ": no selectable training"
                    + " images at this site (" + selected.size() + " selected, " + split.test().size()
                    + " held out); check consents, labels and the job's selection");
        }
        TrainConfig config = new TrainConfig(r.epochs(), r.maxSteps() == null ? 0 : r.maxSteps(), r.batchSize(),
                r.mu(), r.seed(), false);
        TrainResult result = net.train(split.train(), config, null);
        // the trainer measures Δ against the parameters the network held at the start: w_global
        float[] delta = result.update();
        Eval e = evaluate(net, split.test());
        double meanLoss = result.epochLosses().isEmpty() ? Double.NaN
                : result.epochLosses().get(result.epochLosses().size() - 1);

        Map<String, String> f = selectionFields(r.selection(), summary);
        f.put("job", r.jobId());
        f.put("round", Integer.toString(r.round()));
        f.put("model", r.modelSpec());
        f.put("engine", net.engine());
        f.put("parameters", Integer.toString(delta.length));
        f.put("trainImages", Integer.toString(split.train().size()));
        f.put("heldOutImages", Integer.toString(split.test().size()));
        f.put("steps", Integer.toString(result.steps()));
        f.put("epochs", Integer.toString(r.epochs()));
        f.put("mu", Double.toString(r.mu()));
        f.put("meanLoss", Double.toString(meanLoss));
        f.put("deltaSha256", digest(delta));
        audit.append(ROUND_RECORD, ACTOR, f);

        return new TrainingOutcome(delta, split.train().size(), meanLoss, e.tp, e.fp, e.tn, e.fn, e.posHist,
                e.negHist);
    }

    private DataSummary summary(List<TrainingData.Selected> selected) {
        List<CategoryGradeCount> counts = new ArrayList<>();
        TrainingData.counts(selected).forEach((cat, byGrade) ->
                byGrade.forEach((grade, n) -> counts.add(new CategoryGradeCount(cat, grade, n))));
        return new DataSummary(List.copyOf(counts), deidProfileDigest, data.datasetRoot(selected));
    }

    private static Map<String, String> selectionFields(DataSelection s, DataSummary summary) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("purpose", s.purpose().id());
        f.put("maxGrade", Integer.toString(s.maxGrade()));
        f.put("modalities", String.join(",", s.modalities()));
        f.put("bodyParts", String.join(",", s.bodyParts()));
        f.put("categories", String.join(",", s.categories().stream().map(Enum::name).toList()));
        f.put("selected", Long.toString(summary.total()));
        StringBuilder counts = new StringBuilder();
        for (CategoryGradeCount c : summary.counts()) {
            counts.append(counts.length() == 0 ? "" : ",").append(c.category()).append(':').append(c.grade())
                    .append('=').append(c.count());
        }
        f.put("counts", counts.toString());
        f.put("deidProfileSha256", summary.deidProfileDigest());
        f.put("datasetRoot", summary.datasetMerkleRoot());
        return f;
    }

    /** Held-out evaluation as sums: confusion at 0.5 and score histograms. */
    private static final class Eval {
        long tp;
        long fp;
        long tn;
        long fn;
        final long[] posHist = new long[TrainingOutcome.SCORE_BINS];
        final long[] negHist = new long[TrainingOutcome.SCORE_BINS];
    }

    private static Eval evaluate(TrainableModel net, List<LabeledImage> test) {
        Eval e = new Eval();
        float[][] p = test.isEmpty() ? new float[0][] : net.predict(test);
        for (int i = 0; i < test.size(); i++) {
            double score = p[i][1]; // positive class = class 1
            boolean positive = test.get(i).label() == 1;
            boolean predicted = score >= 0.5;
            if (positive) {
                if (predicted) { e.tp++; } else { e.fn++; }
            } else {
                if (predicted) { e.fp++; } else { e.tn++; }
            }
            (positive ? e.posHist : e.negHist)[bin(score)]++;
        }
        return e;
    }

    /** Bin of a score in [0, 1] over {@link TrainingOutcome#SCORE_BINS} equal bins; 1.0 goes in the last. */
    static int bin(double score) {
        int b = (int) Math.floor(score * TrainingOutcome.SCORE_BINS);
        return Math.max(0, Math.min(TrainingOutcome.SCORE_BINS - 1, b));
    }

    private static String digest(float[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return HexFormat.of().formatHex(sha256().digest(b.array()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
