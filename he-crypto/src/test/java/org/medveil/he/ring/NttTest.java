package org.medveil.he.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NttTest {

    private static Poly random(Ring ring, Random rnd) {
        Poly p = ring.newPoly();
        for (int i = 0; i < ring.primes(); i++) {
            long q = ring.modulus(i).value();
            long[] a = p.at(i);
            for (int j = 0; j < a.length; j++) {
                a[j] = Math.floorMod(rnd.nextLong(), q);
            }
        }
        return p;
    }

    private static Poly nttProduct(Ring ring, Poly a, Poly b) {
        Poly x = a.copy();
        Poly y = b.copy();
        ring.ntt(x);
        ring.ntt(y);
        Poly z = ring.newPoly();
        ring.mulPointwise(x, y, z);
        ring.intt(z);
        return z;
    }

    private static void assertSame(Poly expected, Poly actual) {
        for (int i = 0; i < expected.primes(); i++) {
            assertArrayEquals(expected.at(i), actual.at(i), "residues mod prime " + i);
        }
    }

    @Test
    @DisplayName("NTT product equals schoolbook negacyclic product at the default N=4096, two 54-bit primes")
    void nttMatchesSchoolbookAtDefaultSize() {
        Ring ring = new Ring(4096, Primes.nttPrimesBelow(54, 4096, 2));
        Random rnd = new Random(4096);
        Poly a = random(ring, rnd);
        Poly b = random(ring, rnd);
        assertSame(ring.mulSchoolbook(a, b), nttProduct(ring, a, b));
    }

    @Property(tries = 60)
    void nttMatchesSchoolbookForAnySizeAndPrime(@ForAll @IntRange(min = 1, max = 8) int logN,
                                                @ForAll @IntRange(min = 30, max = 61) int bits,
                                                @ForAll long seed) {
        int n = 1 << logN;
        Ring ring = new Ring(n, Primes.nttPrimesBelow(bits, Math.max(n, 1024), 1));
        Random rnd = new Random(seed);
        Poly a = random(ring, rnd);
        Poly b = random(ring, rnd);
        assertSame(ring.mulSchoolbook(a, b), nttProduct(ring, a, b));
    }

    @Property(tries = 40)
    void inverseUndoesForwardAndOutputIsReduced(@ForAll long seed) {
        Ring ring = new Ring(1024, Primes.nttPrimesBelow(61, 1024, 2));
        Poly a = random(ring, new Random(seed));
        Poly b = a.copy();
        ring.ntt(b);
        for (int i = 0; i < ring.primes(); i++) {
            long q = ring.modulus(i).value();
            for (long v : b.at(i)) {
                assertTrue(v >= 0 && v < q, "forward output must be fully reduced");
            }
        }
        ring.intt(b);
        assertSame(a, b);
    }

    @Test
    void multiplicationByXIsNegacyclicShift() {
        Ring ring = new Ring(16, List.of(Primes.nttPrimesBelow(40, 1024, 1).get(0)));
        Poly a = random(ring, new Random(7));
        Poly x = ring.newPoly();
        x.at(0)[1] = 1;
        Poly z = nttProduct(ring, a, x);
        long q = ring.modulus(0).value();
        long[] expected = new long[16];
        for (int j = 0; j < 15; j++) {
            expected[j + 1] = a.at(0)[j];
        }
        expected[0] = a.at(0)[15] == 0 ? 0 : q - a.at(0)[15]; // X^16 = -1
        assertArrayEquals(expected, z.at(0));
    }
}
