package org.medveil.dicom.deid;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The substitutes are the project's contract: the same original must map to the same value in
 * every version (a later run must link to earlier outputs). These pin the arithmetic to the
 * definitions: UIDs are "2.25." + the decimal of the first 128 HMAC bits, day offsets come from
 * the first 64 bits, whatever code computes them and from however many threads.
 */
@Tag("REQ-DEID-3")
class ProjectKeyTest {
    private static final ProjectKey KEY = new ProjectKey("project key test 0123456789abcdef".getBytes());

    @Test
    @DisplayName("unsigned decimal of 128 bits equals BigInteger's, at the edges and at random")
    void decimalMatchesBigInteger() {
        List<byte[]> cases = new ArrayList<>();
        cases.add(new byte[16]);
        byte[] ones = new byte[16];
        Arrays.fill(ones, (byte) 0xFF);
        cases.add(ones);
        for (int i = 0; i < 128; i++) { // every single bit, so every limb and carry position is hit
            byte[] b = new byte[16];
            b[i / 8] = (byte) (0x80 >>> (i % 8));
            cases.add(b);
        }
        byte[] tenPow = new BigInteger("1000000000000000000000000000000000000").toByteArray(); // 10^36: zero chunks inside
        byte[] p = new byte[16];
        System.arraycopy(tenPow, 0, p, 16 - tenPow.length, tenPow.length);
        cases.add(p);
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[20]; // longer than 16: only the first 16 count
            rnd.nextBytes(b);
            if (i % 3 == 0) {
                Arrays.fill(b, 0, rnd.nextInt(16), (byte) 0); // small numbers too
            }
            cases.add(b);
        }
        for (byte[] b : cases) {
            String expected = new BigInteger(1, Arrays.copyOf(b, 16)).toString();
            assertEquals(expected, ProjectKey.unsignedDecimal(b, 16), () -> Arrays.toString(b));
        }
    }

    @Test
    @DisplayName("UIDs and day offsets follow their definitions over the HMAC, from many threads at once")
    void substitutesFollowTheirDefinitions() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        String uid = "1.2.3." + seed + "." + i;
                        byte[] h = KEY.hmac("uid", uid);
                        assertEquals("2.25." + new BigInteger(1, Arrays.copyOf(h, 16)), KEY.uid(uid));
                        String patient = "P" + seed + "-" + i;
                        long v = new BigInteger(1, Arrays.copyOf(KEY.hmac("date-offset", patient), 8)).longValue()
                                & Long.MAX_VALUE;
                        assertEquals(-(int) (1 + v % 3650), KEY.dayOffset(patient, 3650));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // pinned values (computed by the BigInteger version): a change of the derivation would
        // silently unlink a project's new outputs from its earlier ones
        ProjectKey fixed = new ProjectKey(new byte[32]);
        assertEquals("2.25.234032717547690775206643567667356737889", fixed.uid("1.2.3"));
        assertEquals("2.25.234032717547690775206643567667356737889", fixed.uid(" 1.2.3 "));
        assertEquals(-1948, fixed.dayOffset("P", 3650));
        assertEquals("IEUTH62EZ4JVEE", fixed.pseudonym("patient-id", "P", 14));
    }
}
