package org.medveil.cli.he;

import org.medveil.cli.CliRun;
import static org.medveil.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs {@code medveil he bench} in-process through the real command line. */
class HeBenchCommandTest {

    private static void assertErrorWithinBound(CliRun r) {
        Matcher err = Pattern.compile("max \\|decrypted - plaintext sum\\|: (\\S+) \\(guaranteed bound (\\S+);")
                .matcher(r.out());
        assertTrue(err.find(), r.out());
        assertTrue(Double.parseDouble(err.group(1)) <= Double.parseDouble(err.group(2)), r.out());
    }

    @Test
    void benchReportsEveryStepWireSizeAndAnErrorWithinTheBound() {
        CliRun r = run("he", "bench", "--values", "9000", "--parties", "2", "--threads", "2", "--no-warmup",
                "--params", "n4096");
        assertEquals(0, r.exit(), r.err());
        for (String step : new String[] {"encrypt", "aggregate", "decryption shares", "combine + decode"}) {
            assertTrue(r.out().contains(step), "missing step " + step + " in\n" + r.out());
        }
        Matcher wire = Pattern.compile("wire: ([0-9.]+) bytes per encrypted value").matcher(r.out());
        assertTrue(wire.find(), r.out());
        // 9000 values fill 3 ciphertexts of 4096: 3 * 110656 / 9000
        assertEquals(3 * 110656 / 9000.0, Double.parseDouble(wire.group(1)), 0.01);
        assertErrorWithinBound(r);
    }

    @Test
    void defaultSetCostsFortyAndAHalfBytesPerValue() {
        CliRun r = run("he", "bench", "--values", "16384", "--parties", "2", "--threads", "2", "--no-warmup");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("params n8192 (N=8192, log2 Q=162, scale 2^122"), r.out());
        Matcher wire = Pattern.compile("wire: ([0-9.]+) bytes per encrypted value").matcher(r.out());
        assertTrue(wire.find(), r.out());
        assertEquals(331840 / 8192.0, Double.parseDouble(wire.group(1)), 0.01);
        assertErrorWithinBound(r);
    }

    /** Fewer values than one ciphertext: per-ciphertext figures are per ciphertext, not extrapolated per value. */
    @Test
    void aPartlyFilledCiphertextIsReportedPerCiphertext() {
        CliRun r = run("he", "bench", "--values", "100", "--parties", "2", "--threads", "1", "--no-warmup",
                "--params", "n4096");
        assertEquals(0, r.exit(), r.err());
        Matcher enc = Pattern.compile("encrypt \\(every party\\)\\s+([0-9.]+) ms\\s+([0-9.]+) ms\\s+([0-9.]+) us\\s+([0-9.]+) us")
                .matcher(r.out());
        assertTrue(enc.find(), r.out());
        double totalUs = Double.parseDouble(enc.group(1)) * 1000;
        double perCiphertextUs = Double.parseDouble(enc.group(3));
        // one ciphertext per party, two parties: per ciphertext = total / 2 (not total * 4096 / 100 / 2)
        assertEquals(totalUs / 2, perCiphertextUs, Math.max(0.06 * totalUs, 60), r.out());
        assertEquals(perCiphertextUs, Double.parseDouble(enc.group(4)), 0.11, "N = 4096: per 4096 values = per ciphertext");
        assertTrue(r.out().contains("filled 100 of 4096 slots"), r.out());
    }

    @Test
    void thresholdRoundSurvivesDropoutsUpToNMinusT() {
        CliRun r = run("he", "bench", "--values", "300", "--parties", "5", "--threshold", "3", "--dropouts", "2",
                "--threads", "2", "--no-warmup", "--params", "n4096");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("3-of-5 threshold, 2 holder(s) not answering"), r.out());
        Matcher setup = Pattern.compile("threshold setup \\(deal, seal, open, sum\\)\\s+([0-9.]+) ms\\s+([0-9.]+) ms")
                .matcher(r.out());
        assertTrue(setup.find(), "threshold setup cost per party missing:\n" + r.out());
        assertTrue(r.out().contains("decryption shares (3 holders)"), r.out());
        assertTrue(r.out().contains("each holder sends 4 sealed Shamir shares"), r.out());
        assertErrorWithinBound(r);
    }

    /** 12 parties: site-10 and site-11 sort before site-2, so holders must be matched by name, not position. */
    @Test
    void dropoutsAloneUseTheDefaultThresholdOfTwoThirds() {
        CliRun r = run("he", "bench", "--values", "300", "--parties", "12", "--dropouts", "4", "--threads", "2",
                "--no-warmup", "--params", "n4096");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("8-of-12 threshold"), r.out());
        assertErrorWithinBound(r);
    }

    @Test
    void tooManyDropoutsFailWithOneLineNamingTheSilentHolders() {
        CliRun r = run("he", "bench", "--values", "300", "--parties", "5", "--threshold", "4", "--dropouts", "2",
                "--threads", "2", "--no-warmup", "--params", "n4096");
        assertEquals(1, r.exit(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("medveil: error: threshold decryption needs 4 of the 5 key holders but only 3"
                + " answered; not answering: [site-"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(r.out().contains("max |decrypted"), "no result may be reported:\n" + r.out());
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

        for (String[] bad : new String[][] {{"--parties", "5", "--threshold", "6"}, {"--parties", "5", "--threshold", "0"},
                {"--parties", "5", "--dropouts", "6"}, {"--dropouts", "-1"}}) {
            String[] args = new String[bad.length + 2];
            args[0] = "he";
            args[1] = "bench";
            System.arraycopy(bad, 0, args, 2, bad.length);
            CliRun b = run(args);
            assertEquals(1, b.exit(), String.join(" ", bad));
            assertEquals(1, b.err().strip().lines().count(), b.err());
            assertTrue(b.err().contains(bad[bad.length - 2] + " must be between"), b.err());
        }
    }

    @Test
    void helpListsTheOptions() {
        CliRun r = run("he", "bench", "--help");
        assertEquals(0, r.exit());
        for (String opt : new String[] {"--values", "--parties", "--threads", "--params", "--threshold", "--dropouts"}) {
            assertTrue(r.out().contains(opt), r.out());
        }
    }
}
