package org.medveil.governance.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.config.YamlFiles;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.manifest.RoundManifest;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.PkiException;
import org.medveil.he.rlwe.Params;

/**
 * A federated job as the researcher writes it (REQ-TX-1): model spec, rounds, local training,
 * strategy, minimum sites, decryption threshold t, round timeout, HE parameter set (or
 * {@code plaintext}, recorded as such), the data selection, and per site the data use agreement
 * id. Read strictly: an unknown field, a wrong type or a value out of range is a
 * {@link ConfigException} naming the file, the field and the line. Defaults are filled in here, so
 * {@link #canonicalBytes()} states every value a site agrees to, including the ones not written.
 *
 * <p>{@code model} stays an opaque string (e.g. {@code cnn:input=32,filters=8}) and {@code engine}
 * a name ({@value #DEFAULT_ENGINE} unless written): governance does not depend on the models
 * module; sites check both when they accept a job. Fractional values are decimal strings and {@code seed} a
 * decimal string in the canonical form, since RFC 8785 documents here carry integers only up to
 * 2^53 - 1 (see {@link Jcs}).
 */
public record JobSpec(String name, String project, String model, String engine, long seed, int rounds, Local local,
                      Strategy strategy, int minSites, int threshold, int roundTimeoutSeconds, String he,
                      DataSelection selection, List<SiteDua> sites) {

    /** The training engine every site uses unless the job names another. */
    public static final String DEFAULT_ENGINE = "dl4j";
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final double DEFAULT_LEARNING_RATE = 0.001;
    public static final int DEFAULT_ROUND_TIMEOUT_SECONDS = 600;
    public static final double DEFAULT_SERVER_LEARNING_RATE = 0.01;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.99;
    public static final double DEFAULT_TAU = 1e-3;
    /** The HE parameter sets of he-crypto, and plaintext (no encryption, recorded as such in manifests). */
    public static final List<String> HE_CHOICES = List.of(Params.DEFAULT_NAME, Params.FAST_NAME, RoundManifest.PLAINTEXT);

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern MODEL = Pattern.compile("[\\x21-\\x7e]{1,512}");
    private static final Pattern ENGINE = Pattern.compile("[a-z][a-z0-9]{0,31}");
    /** DICOM code strings (CS): upper-case letters, digits, space and underscore, at most 16. */
    private static final Pattern CODE_STRING = Pattern.compile("[A-Z0-9_][A-Z0-9_ ]{0,15}");

    /** Local training per round at each site. {@code maxSteps} null means "all steps of the epochs". */
    public record Local(int epochs, Integer maxSteps, int batchSize, double learningRate) {
    }

    /** The server strategy; parameters that do not apply to it are null. */
    public record Strategy(Algorithm name, Double mu, Double serverLearningRate, Double beta1, Double beta2, Double tau) {
    }

    /** FedAvg; FedProx (proximal term μ in local training); FedAdam (Adam as the server optimizer). */
    public enum Algorithm {
        FEDAVG("fedavg"), FEDPROX("fedprox"), FEDADAM("fedadam");

        private final String id;

        Algorithm(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        static Algorithm fromIdOrNull(String id) {
            return Arrays.stream(values()).filter(a -> a.id.equals(id)).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** A site asked to take part and the id of the data use agreement that covers it there. */
    public record SiteDua(String site, String dua) {
    }

    public JobSpec {
        sites = List.copyOf(sites);
    }

    /** Reads and checks a job spec file; errors name the file, the field and the line. */
    public static JobSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("job spec " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read job spec " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses and checks job spec YAML; {@code sourceName} names it in errors. */
    public static JobSpec parse(String yaml, String sourceName) {
        FieldLines lines = FieldLines.of(yaml);
        JobSpecFile f;
        try {
            f = YamlFiles.parse(yaml, JobSpecFile.class, sourceName);
        } catch (ConfigException e) {
            throw relocate(e, lines, sourceName);
        }
        return new Checker(sourceName, lines).check(f);
    }

    /**
     * The binder reports an unknown field at the parser's position, which can be the next line;
     * the field's own line is known here, so the message gets that one.
     */
    private static ConfigException relocate(ConfigException e, FieldLines lines, String source) {
        if (!(e.getCause() instanceof MismatchedInputException m) || m.getPath().isEmpty()) {
            return e;
        }
        String path = m.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        String at = lines.at(path);
        String msg = e.getMessage();
        int colon = msg.indexOf(": ", source.length());
        if (at.isEmpty() || !msg.startsWith(source) || colon < 0) {
            return e;
        }
        return new ConfigException(source + at + msg.substring(colon), e.getCause());
    }

    /** The spec inside signed job bytes; must be exactly the canonical object this version writes. */
    static JobSpec fromCanonical(JsonNode spec) {
        String source = "signed job spec";
        JobSpec s = new Checker(source, FieldLines.none()).check(YamlFiles.convert(spec, JobSpecFile.class, source));
        if (!Arrays.equals(s.canonicalBytes(), Jcs.canonicalize(spec))) {
            throw new ConfigException(source + ": not in the canonical form (every field, defaults filled in)");
        }
        return s;
    }

    /** The same job with another model string (e.g. with a TorchScript file's digest pinned). */
    public JobSpec withModel(String newModel) {
        JobSpec s = new JobSpec(name, project, newModel, engine, seed, rounds, local, strategy, minSites, threshold,
                roundTimeoutSeconds, he, selection, sites);
        return fromCanonical(Jcs.parse(s.canonicalBytes()));
    }

    /** True unless the job runs in plaintext. */
    public boolean encrypted() {
        return !RoundManifest.PLAINTEXT.equals(he);
    }

    /** The agreement id named for {@code site}, or null when the site is not in the job. */
    public String duaFor(String site) {
        return sites.stream().filter(s -> s.site().equals(site)).map(SiteDua::dua).findFirst().orElse(null);
    }

    /** The canonical object: every field, defaults filled in, fractions and seed as decimal strings. */
    public ObjectNode canonicalTree() {
        JsonNodeFactory j = JsonNodeFactory.instance;
        ObjectNode o = j.objectNode();
        o.put("name", name).put("project", project).put("model", model).put("engine", engine).put("seed", Long.toString(seed))
                .put("rounds", rounds).put("minSites", minSites).put("threshold", threshold)
                .put("roundTimeoutSeconds", roundTimeoutSeconds).put("he", he);
        ObjectNode l = o.putObject("local").put("epochs", local.epochs()).put("batchSize", local.batchSize())
                .put("learningRate", decimal(local.learningRate()));
        if (local.maxSteps() != null) {
            l.put("maxSteps", local.maxSteps());
        }
        ObjectNode s = o.putObject("strategy").put("name", strategy.name().id());
        putDecimal(s, "mu", strategy.mu());
        putDecimal(s, "serverLearningRate", strategy.serverLearningRate());
        putDecimal(s, "beta1", strategy.beta1());
        putDecimal(s, "beta2", strategy.beta2());
        putDecimal(s, "tau", strategy.tau());
        ObjectNode sel = o.putObject("selection").put("maxGrade", selection.maxGrade())
                .put("purpose", selection.purpose().id());
        selection.modalities().forEach(sel.putArray("modalities")::add);
        selection.bodyParts().forEach(sel.putArray("bodyParts")::add);
        ArrayNode cats = sel.putArray("categories");
        selection.categories().forEach(c -> cats.add(c.id()));
        ArrayNode st = o.putArray("sites");
        sites.forEach(x -> st.addObject().put("site", x.site()).put("dua", x.dua()));
        return o;
    }

    /** RFC 8785 canonical JSON of {@link #canonicalTree()}. */
    public byte[] canonicalBytes() {
        return Jcs.canonicalize(canonicalTree());
    }

    /** SHA-256 of {@link #canonicalBytes()}, lower-case hex. */
    public String digest() {
        return Sha256.hex(canonicalBytes());
    }

    /** Shortest decimal that reads back as the same double (Double.toString digits, no exponent). */
    static String decimal(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static void putDecimal(ObjectNode o, String field, Double d) {
        if (d != null) {
            o.put(field, decimal(d));
        }
    }

    /** Checks values and fills defaults; every error names field and line. */
    private record Checker(String source, FieldLines lines) {

        JobSpec check(JobSpecFile f) {
            String name = required("name", f.name());
            if (!ID.matcher(name).matches()) {
                throw bad("name", "must be 1-128 letters, digits, '.', '_' or '-', was '" + name + "'");
            }
            String project = required("project", f.project());
            try {
                Identity.checkName("project", project);
            } catch (PkiException e) {
                throw bad("project", "must be the project name as in the certificates: " + e.getMessage());
            }
            String model = required("model", f.model());
            if (!MODEL.matcher(model).matches()) {
                throw bad("model", "must be a model spec such as cnn:input=32,filters=8 (no spaces, at most 512 characters)");
            }
            String engine = f.engine() == null ? DEFAULT_ENGINE : f.engine();
            if (!ENGINE.matcher(engine).matches()) {
                throw bad("engine", "must be a training engine name such as dl4j or torch, was '" + engine + "'");
            }
            long seed = present("seed", f.seed());
            int rounds = atLeast("rounds", present("rounds", f.rounds()), 1);
            Local local = local(f.local());
            Strategy strategy = strategy(f.strategy());
            int minSites = atLeast("minSites", present("minSites", f.minSites()), 1);
            List<SiteDua> sites = sites(f.sites(), minSites);
            int n = sites.size();
            int threshold = f.threshold() == null ? (2 * n + 2) / 3 : f.threshold();
            if (threshold < 1 || threshold > n) {
                throw bad("threshold", "must be 1.." + n + " (the number of sites listed), was " + threshold);
            }
            int timeout = atLeast("roundTimeoutSeconds",
                    f.roundTimeoutSeconds() == null ? DEFAULT_ROUND_TIMEOUT_SECONDS : f.roundTimeoutSeconds(), 1);
            String he = required("he", f.he());
            if (!HE_CHOICES.contains(he)) {
                throw bad("he", "must be one of " + HE_CHOICES + ", was '" + he + "'");
            }
            DataSelection selection = selection(f.selection());
            return new JobSpec(name, project, model, engine, seed, rounds, local, strategy, minSites, threshold, timeout, he,
                    selection, sites);
        }

        private Local local(JobSpecFile.Local l) {
            if (l == null) {
                throw bad("local", "is required (epochs, and optionally maxSteps, batchSize, learningRate)");
            }
            int epochs = atLeast("local.epochs", present("local.epochs", l.epochs()), 1);
            if (l.maxSteps() != null) {
                atLeast("local.maxSteps", l.maxSteps(), 1);
            }
            int batch = atLeast("local.batchSize", l.batchSize() == null ? DEFAULT_BATCH_SIZE : l.batchSize(), 1);
            double lr = positive("local.learningRate", l.learningRate() == null ? DEFAULT_LEARNING_RATE : l.learningRate());
            return new Local(epochs, l.maxSteps(), batch, lr);
        }

        private Strategy strategy(JobSpecFile.Strategy s) {
            if (s == null) {
                throw bad("strategy", "is required (name: fedavg, fedprox or fedadam)");
            }
            Algorithm a = Algorithm.fromIdOrNull(required("strategy.name", s.name()));
            if (a == null) {
                throw bad("strategy.name", "must be one of " + Arrays.toString(Algorithm.values()) + ", was '" + s.name() + "'");
            }
            if (a != Algorithm.FEDPROX && s.mu() != null) {
                throw bad("strategy.mu", "applies to fedprox only, not " + a);
            }
            if (a != Algorithm.FEDADAM) {
                for (String[] p : new String[][] {{"serverLearningRate", str(s.serverLearningRate())},
                        {"beta1", str(s.beta1())}, {"beta2", str(s.beta2())}, {"tau", str(s.tau())}}) {
                    if (p[1] != null) {
                        throw bad("strategy." + p[0], "applies to fedadam only, not " + a);
                    }
                }
            }
            return switch (a) {
                case FEDAVG -> new Strategy(a, null, null, null, null, null);
                case FEDPROX -> new Strategy(a, positive("strategy.mu", present("strategy.mu", s.mu())), null, null, null, null);
                case FEDADAM -> new Strategy(a, null,
                        positive("strategy.serverLearningRate", or(s.serverLearningRate(), DEFAULT_SERVER_LEARNING_RATE)),
                        fraction("strategy.beta1", or(s.beta1(), DEFAULT_BETA1)),
                        fraction("strategy.beta2", or(s.beta2(), DEFAULT_BETA2)),
                        positive("strategy.tau", or(s.tau(), DEFAULT_TAU)));
            };
        }

        private List<SiteDua> sites(List<JobSpecFile.Site> in, int minSites) {
            if (in == null || in.isEmpty()) {
                throw bad("sites", "must list the sites as {site: NAME, dua: AGREEMENT-ID}");
            }
            List<SiteDua> out = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < in.size(); i++) {
                String at = "sites[" + i + "]";
                JobSpecFile.Site s = in.get(i);
                if (s == null) {
                    throw bad(at, "is empty; write {site: NAME, dua: AGREEMENT-ID}");
                }
                String site = required(at + ".site", s.site());
                try {
                    Identity.checkName("site", site);
                } catch (PkiException e) {
                    throw bad(at + ".site", "must be a site name as in the certificates: " + e.getMessage());
                }
                if (!seen.add(site)) {
                    throw bad(at + ".site", "lists site " + site + " a second time; each site appears once");
                }
                String dua = required(at + ".dua", s.dua());
                if (!ID.matcher(dua).matches()) {
                    throw bad(at + ".dua", "must be a data use agreement id (1-128 letters, digits, '.', '_' or '-')");
                }
                out.add(new SiteDua(site, dua));
            }
            if (out.size() < minSites) {
                throw bad("sites", "lists " + out.size() + " site(s) but minSites is " + minSites
                        + "; list more sites or lower minSites");
            }
            return out;
        }

        private DataSelection selection(JobSpecFile.Selection s) {
            if (s == null) {
                throw bad("selection", "is required (at least purpose; modalities, bodyParts, categories, maxGrade)");
            }
            List<String> modalities = codes("selection.modalities", s.modalities());
            List<String> bodyParts = codes("selection.bodyParts", s.bodyParts());
            List<ImagingCategory> categories = new ArrayList<>();
            List<String> cs = s.categories() == null ? List.of() : s.categories();
            for (int i = 0; i < cs.size(); i++) {
                ImagingCategory c = category(cs.get(i));
                if (c == null) {
                    throw bad("selection.categories[" + i + "]", "'" + cs.get(i) + "' is not one of "
                            + Arrays.stream(ImagingCategory.values()).map(ImagingCategory::id).collect(Collectors.joining(", ")));
                }
                if (categories.contains(c)) {
                    throw bad("selection.categories[" + i + "]", "lists " + c.id() + " twice");
                }
                categories.add(c);
            }
            int maxGrade = s.maxGrade() == null ? DataSelection.HIGHEST_SELECTABLE_GRADE : s.maxGrade();
            if (maxGrade < 1 || maxGrade > DataSelection.HIGHEST_SELECTABLE_GRADE) {
                throw bad("selection.maxGrade", "must be 1.." + DataSelection.HIGHEST_SELECTABLE_GRADE
                        + " (grade 4 and 5 imaging is never used for joint modeling), was " + maxGrade);
            }
            Purpose purpose = Purpose.fromIdOrNull(required("selection.purpose", s.purpose()));
            if (purpose == null) {
                throw bad("selection.purpose", "'" + s.purpose() + "' is not one of " + Purpose.allIds());
            }
            return new DataSelection(modalities, bodyParts, categories, maxGrade, purpose);
        }

        private List<String> codes(String field, List<String> in) {
            List<String> values = in == null ? List.of() : in;
            for (int i = 0; i < values.size(); i++) {
                String v = values.get(i);
                if (v == null || !CODE_STRING.matcher(v).matches()) {
                    throw bad(field + "[" + i + "]", "'" + v + "' is not a DICOM code string such as CT or CHEST"
                            + " (upper-case letters, digits, '_', at most 16)");
                }
                if (values.indexOf(v) != i) {
                    throw bad(field + "[" + i + "]", "lists " + v + " twice");
                }
            }
            return values;
        }

        private static ImagingCategory category(String v) {
            for (ImagingCategory c : ImagingCategory.values()) {
                if (c.id().equals(v) || c.name().equals(v)) {
                    return c;
                }
            }
            return null;
        }

        private String required(String field, String v) {
            if (v == null || v.isBlank()) {
                throw bad(field, "is required");
            }
            return v;
        }

        private <T> T present(String field, T v) {
            if (v == null) {
                throw bad(field, "is required");
            }
            return v;
        }

        private int atLeast(String field, int v, int min) {
            if (v < min) {
                throw bad(field, "must be at least " + min + ", was " + v);
            }
            return v;
        }

        private double positive(String field, double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw bad(field, "must be a number above 0, was " + v);
            }
            return v;
        }

        private double fraction(String field, double v) {
            if (!(v >= 0 && v < 1)) {
                throw bad(field, "must be at least 0 and below 1, was " + v);
            }
            return v;
        }

        private static double or(Double v, double dflt) {
            return v == null ? dflt : v;
        }

        private static String str(Double d) {
            return d == null ? null : d.toString();
        }

        private ConfigException bad(String field, String what) {
            return new ConfigException(source + lines.at(field) + ": field '" + field + "' " + what);
        }
    }
}
