package org.medveil.cli.demo;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.RoundSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code medveil demo}: runs {@link Demo} and prints its table. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a whole federation on this machine: a provisioned project, synthetic CT for each site,",
                "a coordinator and site nodes over mutual TLS on loopback, ingest and de-identification at each",
                "site, one federated job with homomorphically encrypted updates, and a table comparing each site",
                "alone, federated and pooled on one held-out test set. A few minutes on 2 cores."})
public final class DemoCommand implements Runnable {

    @Option(names = "--sites", paramLabel = "N", defaultValue = "3", description = "Sites (default: ${DEFAULT-VALUE}).")
    int sites;
    @Option(names = "--patients", paramLabel = "N", defaultValue = "120",
            description = "Training patients per site (default: ${DEFAULT-VALUE}).")
    int patients;
    @Option(names = "--rounds", paramLabel = "R", defaultValue = "5", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--epochs", paramLabel = "E", defaultValue = "2",
            description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--no-he", description = "Send plaintext updates (recorded as such in the manifests).")
    boolean noHe;
    @Option(names = "--engine", paramLabel = "dl4j|torch", defaultValue = "dl4j",
            description = "Training engine at every site: dl4j (DeepLearning4J) or torch (libtorch) (default: ${DEFAULT-VALUE}).")
    String engine;
    @Option(names = "--model", paramLabel = "SPEC", defaultValue = "cnn:input=32",
            description = "Model spec, e.g. resnet:input=32, or torchscript:FILE.pt,input=32 with --engine torch"
                    + " (copied into each demo site's models folder) (default: ${DEFAULT-VALUE}).")
    String model;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--work", paramLabel = "DIR",
            description = "Keep everything in DIR (default: a new temporary folder, kept after the run).")
    Path work;
    @Option(names = "--no-progress", description = "No progress bars (they are off anyway when stderr is not a terminal).")
    boolean noProgress;
    @Option(names = "--logs", description = "Show the coordinator's and the sites' log lines (default: warnings only).")
    boolean logs;
    @Option(names = "--console", arity = "0..1", fallbackValue = "8445", paramLabel = "PORT",
            description = {"Also serve the coordinator's web console on https://localhost:PORT (default 8445),",
                    "print sign-in links, and keep the federation up for --console-minutes after the job"
                            + " (Ctrl-C stops it earlier)."})
    Integer console;
    @Option(names = "--console-minutes", paramLabel = "M", defaultValue = "10",
            description = "With --console: minutes to keep the console up after the demo (default: ${DEFAULT-VALUE}).")
    int consoleMinutes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (sites < 2 || sites > 20) {
            throw new IllegalArgumentException("--sites must be between 2 and 20, got " + sites);
        }
        if (rounds < 1 || rounds > 100 || epochs < 1 || epochs > 100 || patients < 10 || patients > 5000) {
            throw new IllegalArgumentException("--rounds and --epochs must be 1..100, --patients 10..5000");
        }
        PrintWriter out = spec.commandLine().getOut();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (!logs && root.getLevel() != ch.qos.logback.classic.Level.DEBUG) {
            // the daemons log one line per event; in the demo those interleave with the steps: warnings only
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        Path dir;
        try {
            dir = work != null ? work : Files.createTempDirectory("medveil-demo-");
        } catch (java.io.IOException e) {
            throw new DemoException("cannot create a work folder: " + e.getMessage());
        }
        Demo.Options o = new Demo.Options(sites, patients, Math.max(20, patients / 2), rounds, epochs, !noHe,
                model, seed, dir, engine);
        boolean bars = !noProgress && System.console() != null;
        Demo.Outcome r;
        Demo demo = new Demo(o);
        if (console != null) {
            demo.console(console);
        }
        // with the console the federation outlives this block (linger closes it)
        try (Demo closeHere = console == null ? demo : null; ProgressBar bar = bars ? new ProgressBarBuilder().setTaskName("rounds")
                .setInitialMax(rounds).setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null) {
            r = demo.run(new Demo.Progress() {
                private final java.util.Set<Integer> printed = new java.util.HashSet<>();

                @Override
                public void step(String what) {
                    out.println("== " + what);
                    if (console != null && what.startsWith("submitting job")) {
                        out.println("   open the console as the project admin (works once, within a minute): "
                                + demo.consoleLink("pat"));
                    }
                    out.flush();
                }

                @Override
                public void job(JobStatus s) {
                    if (bar != null) {
                        bar.stepTo(s.getRoundSummariesList().stream().filter(x -> "completed".equals(x.getState())).count());
                        bar.setExtraMessage(s.getState());
                    } else if (s.getRoundSummariesCount() > 0) {
                        RoundSummary x = s.getRoundSummaries(s.getRoundSummariesCount() - 1);
                        if ("completed".equals(x.getState()) && printed.add(x.getRound())) {
                            out.printf(Locale.ROOT, "   round %d/%d: loss %.4f, auc %.3f, %d sites%n", x.getRound(),
                                    s.getRounds(), x.getLoss(), x.getAuc(), x.getParticipantsCount());
                            out.flush();
                        }
                    }
                }
            });
        } catch (RuntimeException e) {
            closeIfKept(demo);
            throw e;
        } catch (Exception e) {
            closeIfKept(demo);
            throw new DemoException(e.toString());
        }
        out.println();
        out.printf("%-26s %9s %7s %12s %12s%n", "setting (same test set)", "accuracy", "auc", "sensitivity", "specificity");
        for (Demo.Row row : r.rows()) {
            out.printf(Locale.ROOT, "%-26s %9.3f %7.3f %12.3f %12.3f%n", row.setting(), row.metrics().accuracy(),
                    row.metrics().auc(), row.metrics().sensitivity(), row.metrics().specificity());
        }
        java.util.List<Double> seconds = new java.util.ArrayList<>();
        for (RoundSummary x : r.job().getRoundSummariesList()) {
            if ("completed".equals(x.getState())) {
                seconds.add((x.getFinished().getSeconds() - x.getStarted().getSeconds())
                        + (x.getFinished().getNanos() - x.getStarted().getNanos()) / 1e9);
            }
        }
        java.util.Collections.sort(seconds);
        if (!seconds.isEmpty()) {
            out.printf(Locale.ROOT, "%nround wall time: median %.2f s over %d rounds (%s, local training included)%n",
                    seconds.get(seconds.size() / 2), seconds.size(), noHe ? "plaintext" : "HE " + r.job().getHe());
        }
        out.println();
        out.println("manifests: " + (r.manifests().ok() ? "all " + r.manifests().rounds() + " rounds verify (signatures,"
                + " chain, and " + r.manifests().countersignatures() + " site countersignatures)" : "DO NOT VERIFY: " + r.manifests().problems()));
        out.println("job " + r.job().getJobId() + ": result in " + r.result() + ", everything in " + r.work());
        out.println("check the manifests yourself: medveil manifest verify " + r.result().resolve("manifests")
                + " --ca " + r.work().resolve("project/ca/ca.pem") + " --require-countersignatures");
        if (console != null) {
            linger(demo, out);
        }
        if (!r.manifests().ok()) {
            throw new DemoException("the manifests did not verify");
        }
    }

    /** With the console the try block above left the federation running; on failure it ends here. */
    private void closeIfKept(Demo demo) {
        if (console != null) {
            demo.close();
        }
    }

    /** Keeps the federation and its console up for a while, so the user can look around; Ctrl-C ends it. */
    private void linger(Demo demo, PrintWriter out) {
        out.println();
        out.println("web console: https://localhost:" + demo.consolePort() + "/ stays up for " + consoleMinutes
                + " minute(s) (Ctrl-C stops it). One-time sign-in links, each valid for a minute:");
        for (String user : java.util.List.of("pat", "carla", "rita")) {
            out.println("   " + user + ": " + demo.consoleLink(user));
        }
        out.println("   later: medveil console open --kit " + demo.project().resolve("users/NAME")
                + " (the browser warns: the certificate is from the demo's own CA, "
                + demo.project().resolve("ca/ca.pem") + ")");
        out.flush();
        try {
            Thread.sleep(java.time.Duration.ofMinutes(consoleMinutes).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            demo.close();
        }
    }
}
