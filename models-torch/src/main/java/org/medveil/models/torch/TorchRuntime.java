package org.medveil.models.torch;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Starts libtorch once per JVM: checks glibc, extracts {@code libtorch_cpu.so} into the JavaCPP
 * cache before anything else, loads the torch classes and sets the thread count. The outcome
 * (success or the reason it cannot run) is kept, so later calls cost nothing.
 */
final class TorchRuntime {
    /** libtorch 2.10 from JavaCPP 1.5.13 is built against glibc 2.35 symbols. */
    static final int[] MIN_GLIBC = {2, 35};

    private static final Object LOCK = new Object();
    private static Optional<String> outcome;
    private static int threads;

    private TorchRuntime() {}

    /** Empty when libtorch is loaded and ready; otherwise why it cannot run here. */
    static Optional<String> start() {
        synchronized (LOCK) {
            if (outcome == null) {
                outcome = load();
            }
            return outcome;
        }
    }

    /** The intra-op thread count set at start-up. */
    static int threads() {
        synchronized (LOCK) {
            return threads;
        }
    }

    private static Optional<String> load() {
        Optional<String> glibc = glibcProblem(detectGlibc());
        if (glibc.isPresent()) {
            return glibc;
        }
        String platform = Loader.getPlatform();
        if (!"linux-x86_64".equals(platform)) {
            return Optional.of("this build carries libtorch for linux-x86_64 only; this machine is " + platform);
        }
        try {
            // The first load with an empty JavaCPP cache crashed the JVM in a trial (7 of 7 runs)
            // unless the 330 MB libtorch_cpu.so was extracted on its own first (3 of 3 fine).
            Loader.cacheResource(TorchRuntime.class, "/org/bytedeco/pytorch/" + platform + "/libtorch_cpu.so");
            Loader.load(torch.class);
        } catch (IOException | RuntimeException | LinkageError e) {
            return Optional.of("cannot load libtorch (" + e + "); check that the JavaCPP cache folder ("
                    + cacheDirForMessage() + ") is writable and has about 450 MB free");
        }
        threads = threadCount(System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
        torch.set_num_threads(threads);
        return Optional.empty();
    }

    /** OMP_NUM_THREADS when it is a positive integer, else the available processors. */
    static int threadCount(String omp, int processors) {
        if (omp != null) {
            try {
                int n = Integer.parseInt(omp.strip());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // fall through: a malformed value means "not set", as OpenMP treats it
            }
        }
        return Math.max(1, processors);
    }

    /**
     * Why a machine with glibc {@code version} (e.g. "2.36"; null when none was found) cannot run
     * libtorch, or empty when it can.
     */
    static Optional<String> glibcProblem(String version) {
        String need = "libtorch needs glibc >= " + MIN_GLIBC[0] + "." + MIN_GLIBC[1] + " (Debian 12, Ubuntu 22.04+)";
        if (version == null) {
            return Optional.of(need + "; this machine has no glibc that could be detected (musl or no getconf/ldd)");
        }
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
        if (!m.find()) {
            return Optional.of(need + "; this machine reports an unreadable glibc version '" + version + "'");
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        boolean ok = major > MIN_GLIBC[0] || (major == MIN_GLIBC[0] && minor >= MIN_GLIBC[1]);
        return ok ? Optional.empty() : Optional.of(need + "; this machine has " + major + "." + minor);
    }

    /**
     * glibc's version from {@code getconf GNU_LIBC_VERSION} ("glibc 2.36"), else the first line of
     * {@code ldd --version}; null when neither says.
     */
    static String detectGlibc() {
        String v = firstLine(List.of("getconf", "GNU_LIBC_VERSION"));
        if (v != null && v.startsWith("glibc")) {
            return v.substring("glibc".length()).strip();
        }
        v = firstLine(List.of("ldd", "--version"));
        if (v != null && (v.contains("GLIBC") || v.contains("GNU libc"))) {
            Matcher m = Pattern.compile("(\\d+\\.\\d+)\\s*$").matcher(v.strip());
            return m.find() ? m.group(1) : v;
        }
        return null;
    }

    private static String firstLine(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            String s = new String(out, StandardCharsets.UTF_8).strip();
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl).strip();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String cacheDirForMessage() {
        try {
            return Loader.getCacheDir().toString();
        } catch (IOException e) {
            return "~/.javacpp/cache";
        }
    }
}
