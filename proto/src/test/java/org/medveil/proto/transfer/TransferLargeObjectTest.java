package org.medveil.proto.transfer;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An object over 2 GiB (513 parts of 4 MiB) goes up and comes back down over mTLS on loopback
 * in a child JVM whose heap is 256 MiB, so nothing on either side may hold the object whole.
 * About 20 s of transfer (35 s with the JVM start and the check) on 2 cores; tagged "large".
 */
@Tag("issue-13")
@Tag("large")
class TransferLargeObjectTest {
    private static final int PART = 4 << 20;
    private static final long PARTS = 513;
    private static final int XMX_MIB = 256;

    @TempDir
    Path dir;

    @Test
    void twoGibibytesAndMoreGoUpAndDownInABoundedHeap() throws Exception {
        assertTrue(PARTS * PART > (2L << 30), "the object is over 2 GiB");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = dir.resolve("child.out");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + XMX_MIB + "m", "-cp", cp, LargeObjectRun.class.getName(), Long.toString(PARTS), Integer.toString(PART))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean ended = p.waitFor(4, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(out);
        String log = lines.size() <= 40 ? String.join("\n", lines)
                : String.join("\n", lines.subList(0, 10)) + "\n...\n" + String.join("\n", lines.subList(lines.size() - 20, lines.size()));
        assertTrue(ended, "the child did not finish in 4 minutes:\n" + log);
        assertEquals(0, p.exitValue(), "the child failed (an OutOfMemoryError here means something held the object):\n" + log);
        Matcher m = Pattern.compile("OK sha256=([0-9a-f]{64}) bytes=(\\d+) .*used_after_gc_mib=(\\d+)").matcher(log);
        assertTrue(m.find(), log);
        assertEquals(PARTS * PART, Long.parseLong(m.group(2)), "bytes downloaded");
        // the digest both ends agreed on is the generator's, computed here without any transfer
        assertEquals(HexFormat.of().formatHex(TestData.sha256(PARTS, PART, PART)), m.group(1));
        // nothing of the object is kept once it is through
        assertTrue(Integer.parseInt(m.group(3)) < 64, "heap still used after the transfer and a GC: " + log);
        System.out.println("2 GiB transfer: " + log);
    }
}
