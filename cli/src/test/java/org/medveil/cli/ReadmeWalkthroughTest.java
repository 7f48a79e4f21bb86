package org.medveil.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's walk-through as written there: its {@code synth}, key, {@code deid} and
 * {@code train} lines are read from README.md and run in-process (paths under {@code try/} moved
 * to a temporary folder), so README and test cannot drift apart. Training must run on the
 * de-identified folder only, with the labels deid carried along.
 */
class ReadmeWalkthroughTest {

    private static final Path README = Path.of("..", "README.md");

    @TempDir
    Path tmp;

    @Test
    void readmeWalkthroughTrainsOnDeidentifiedData() throws IOException {
        List<String> lines = walkthrough();
        String synth = line(lines, "./medveil synth ");
        String keyLine = line(lines, "head -c 32 /dev/urandom > ");
        String deid = line(lines, "./medveil deid ");
        String train = line(lines, "./medveil train ");

        CliRun s = CliRun.run(args(synth));
        assertEquals(0, s.exit(), synth + "\n" + s.err());

        Path key = rebase(keyLine.substring("head -c 32 /dev/urandom > ".length()).strip());
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        Files.createDirectories(key.getParent());
        Files.write(key, k);

        String[] deidArgs = args(deid);
        CliRun d = CliRun.run(deidArgs);
        assertEquals(0, d.exit(), deid + "\n" + d.out() + d.err());
        assertTrue(d.out().lines().anyMatch(l -> l.startsWith("labels: ") && l.contains("re-keyed to the new SOP Instance UIDs")),
                "deid says it carried the labels along:\n" + d.out());

        // train reads only folders deid wrote: the walk-through trains on de-identified data
        String[] trainArgs = args(train);
        Path deidOut = Path.of(deidArgs[deidArgs.length - 1]);
        List<Path> data = new ArrayList<>();
        for (int i = 0; i < trainArgs.length - 1; i++) {
            if (trainArgs[i].equals("--data")) {
                data.add(Path.of(trainArgs[i + 1]));
            }
        }
        assertFalse(data.isEmpty(), "the README's train line has no --data: " + train);
        for (Path p : data) {
            assertEquals(deidOut, p, "the README trains on " + p + ", not on deid's output " + deidOut);
        }
        assertTrue(Files.isRegularFile(deidOut.resolve("labels.csv")), "deid wrote OUT/labels.csv");

        CliRun t = CliRun.run(trainArgs);
        assertEquals(0, t.exit(), train + "\n" + t.out() + t.err());
        Matcher m = Pattern.compile("(?m)^model .*; (\\d+) training images from 1 folder\\(s\\), (\\d+) test images").matcher(t.out());
        assertTrue(m.find(), t.out());
        assertTrue(Integer.parseInt(m.group(1)) > 0 && Integer.parseInt(m.group(2)) > 0, t.out());
        assertFalse(t.out().contains("unlabeled skipped"), "every de-identified image has its label:\n" + t.out());
        assertTrue(t.out().contains("parameters sha256="), t.out());
        assertTrue(Pattern.compile("(?m)^test n=\\d+ positives=\\d+ accuracy=[0-9.]+ auc=").matcher(t.out()).find(), t.out());
    }

    /** The shell block that follows "the pieces one by one", without comments. */
    private static List<String> walkthrough() throws IOException {
        String text = Files.readString(README, StandardCharsets.UTF_8);
        int at = text.indexOf("the pieces one by one");
        assertTrue(at >= 0, "README.md has no walk-through ('the pieces one by one')");
        int start = text.indexOf("```sh\n", at);
        int end = text.indexOf("```", start + 6);
        assertTrue(start >= 0 && end > start, "README.md walk-through has no ```sh block");
        return text.substring(start + 6, end).lines().map(l -> l.replaceFirst("\\s+#.*$", "").strip()).toList();
    }

    private static String line(List<String> lines, String prefix) {
        List<String> found = lines.stream().filter(l -> l.startsWith(prefix)).toList();
        assertEquals(1, found.size(), "README walk-through lines starting with '" + prefix + "': " + found);
        return found.get(0);
    }

    /** The words after ./medveil, with try/ moved into the temp folder and config/ read from the checkout. */
    private String[] args(String line) {
        String[] words = line.split("\\s+");
        assertTrue(Arrays.stream(words).noneMatch(w -> w.contains("\"") || w.contains("'") || w.contains("$")),
                "a plain command line: " + line);
        return Arrays.stream(words).skip(1).map(w -> w.startsWith("try/") ? rebase(w).toString()
                : w.startsWith("config/") ? Path.of("..").resolve(w).toString() : w).toArray(String[]::new);
    }

    private Path rebase(String path) {
        assertNotNull(path);
        return tmp.resolve(path);
    }
}
