package org.medveil.cli.he;

import org.medveil.cli.CliRun;
import static org.medveil.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs {@code medveil he bench} in-process through the real command line. */
@Tag("FL-1")
class HeBenchCommandTest {



    @Test
    void benchReportsEveryStepWireSizeAndAnErrorWithinTheBound() {
        CliRun r = run("he", "bench", "--values", "9000", "--parties", "2", "--threads", "2", "--no-warmup");
        assertEquals(0, r.exit(), r.err());
        for (String step : new String[] {"encrypt", "aggregate", "decryption shares", "combine + decode"}) {
            assertTrue(r.out().contains(step), "missing step " + step + " in\n" + r.out());
        }
        Matcher wire = Pattern.compile("wire: ([0-9.]+) bytes per encrypted value").matcher(r.out());
        assertTrue(wire.find(), r.out());
        // 9000 values fill 3 ciphertexts of 4096: 3 * 110656 / 9000
        assertEquals(3 * 110656 / 9000.0, Double.parseDouble(wire.group(1)), 0.01);
        Matcher err = Pattern.compile("max \\|decrypted - plaintext sum\\|: (\\S+) \\(guaranteed bound (\\S+);")
                .matcher(r.out());
        assertTrue(err.find(), r.out());
        assertTrue(Double.parseDouble(err.group(1)) <= Double.parseDouble(err.group(2)), r.out());
    }

    @Test
    void badOptionsFailWithOneLineAndNonZeroExit() {
        CliRun r = run("he", "bench", "--values", "0");
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--values must be between 1 and 100000000"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());

        CliRun p = run("he", "bench", "--params", "n1024");
        assertEquals(1, p.exit());
        assertTrue(p.err().contains("known sets: n4096"), p.err());
    }

    @Test
    void helpListsTheOptions() {
        CliRun r = run("he", "bench", "--help");
        assertEquals(0, r.exit());
        for (String opt : new String[] {"--values", "--parties", "--threads", "--params"}) {
            assertTrue(r.out().contains(opt), r.out());
        }
    }
}
