package org.medveil.he.rlwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.he.InsecureParametersException;
import org.medveil.he.ring.Primes;

@Tag("DEID-1")
class ParamsTest {

    @Test
    void defaultSetIsN4096WithTwo54BitPrimesWithinThe128BitTable() {
        Params p = Params.defaults();
        assertEquals(4096, p.n());
        assertEquals(2, p.primes().size());
        assertEquals(108, p.logQ());
        assertTrue(p.logQ() <= SecurityStandard.MAX_LOG_Q_128.get(4096));
        assertEquals(26, p.maxSumBits());
    }

    @Test
    void largeSetFitsThe8192Row() {
        Params p = Params.byName("n8192");
        assertEquals(8192, p.n());
        assertEquals(216, p.logQ());
        assertTrue(p.logQ() <= 218);
        assertEquals(46, p.maxSumBits());
    }

    @Test
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
                new HeContext(Params.byName("n8192")).fingerprint());
        assertEquals(new HeContext(Params.defaults()).fingerprint(), new HeContext(Params.defaults()).fingerprint());
    }
}
