package org.medveil.he.rlwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.he.InsecureParametersException;
import org.medveil.he.ring.Primes;

class ParamsTest {

    @Test
    @Tag("REQ-FL-1") // 128-bit RLWE parameters: the coordinator cannot decrypt one site's update
    void defaultSetIsN8192WithThree54BitPrimesWithinThe128BitTable() {
        Params p = Params.defaults();
        assertEquals("n8192", p.name());
        assertEquals(8192, p.n());
        assertEquals(3, p.primes().size());
        assertTrue(p.primes().stream().allMatch(q -> q < (1L << 54) && q > (1L << 53)));
        assertEquals(162, p.logQ());
        assertTrue(p.logQ() <= SecurityStandard.MAX_LOG_Q_128.get(8192));
        assertEquals(122, p.logScale());
        assertEquals(40, p.statisticalBits());
        // sums of 100 sites x 2^20 samples x |update| <= 1 (2^26.6) fit with room for clip bounds up to 2^11
        assertEquals(38, p.maxSumBits());
        assertTrue(p.maxSum() >= 100 * Math.scalb(1.0, 20));
    }

    @Test
    void fastSetKeepsN4096AndStatesItsLowerMargin() {
        Params p = Params.byName("n4096");
        assertEquals(4096, p.n());
        assertEquals(108, p.logQ());
        assertTrue(p.logQ() <= 109);
        assertEquals(80, p.logScale());
        assertEquals(26, p.maxSumBits());
        assertEquals(10, p.statisticalBits());
    }

    /** No fixed 128-bit cap: the range grows with Q (four primes would carry sums to 2^92 at Δ = 2^122). */
    @Test
    void rangeIsNotCappedAt128Bits() {
        Params four = new Params("four", 13, Primes.nttPrimesBelow(54, 8192, 4), 122);
        assertEquals(216, four.logQ());
        assertEquals(216 - 2 - 122, four.maxSumBits());
    }

    @Test
    @Tag("REQ-FL-1") // 128-bit RLWE parameters: the coordinator cannot decrypt one site's update
    void insecureSetsAreRefused() {
        // three 54-bit primes at N=4096: log Q = 162 > 109
        InsecureParametersException e = assertThrows(InsecureParametersException.class,
                () -> new Params("too-big-q", 12, Primes.nttPrimesBelow(54, 4096, 3), 80));
        assertTrue(e.getMessage().contains("109"), e.getMessage());
        // N=512 is below every row of the table
        assertThrows(InsecureParametersException.class,
                () -> new Params("tiny", 9, Primes.nttPrimesBelow(30, 512, 1), 10));
        // the HE standard limits for the other sizes
        assertThrows(InsecureParametersException.class, () -> SecurityStandard.requireSecure("x", 13, 219));
        assertThrows(InsecureParametersException.class, () -> SecurityStandard.requireSecure("x", 14, 439));
        SecurityStandard.requireSecure("x", 14, 438);
    }

    @Test
    void unknownSetNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Params.byName("n2048"));
        assertTrue(e.getMessage().contains("n4096"), e.getMessage());
    }

    @Test
    void fingerprintsDistinguishSets() {
        assertNotEquals(new HeContext(Params.defaults()).fingerprint(),
                new HeContext(Params.byName("n4096")).fingerprint());
        assertEquals(new HeContext(Params.defaults()).fingerprint(), new HeContext(Params.defaults()).fingerprint());
    }
}
