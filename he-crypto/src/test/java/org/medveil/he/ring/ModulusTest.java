package org.medveil.he.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ModulusTest {

    private static final long Q54 = Primes.nttPrimesBelow(54, 4096, 1).get(0);
    private static final long Q61 = Primes.nttPrimesBelow(61, 8192, 1).get(0);
    private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

    @Provide
    Arbitrary<Long> moduli() {
        return Arbitraries.of(Q54, Q61, 12289L, (1L << 40) + 15 /* odd, not prime: Barrett works anyway */);
    }

    private static BigInteger unsigned(long x) {
        return BigInteger.valueOf(x).and(TWO64.subtract(BigInteger.ONE));
    }

    @Property(tries = 300)
    void barrettProductMatchesBigInteger(@ForAll("moduli") long q, @ForAll long a0, @ForAll long b0) {
        Modulus m = new Modulus(q);
        long a = Math.floorMod(a0, q);
        long b = Math.floorMod(b0, q);
        long expected = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).mod(BigInteger.valueOf(q)).longValue();
        assertEquals(expected, m.mul(a, b));
    }

    @Property(tries = 300)
    void wideReductionMatchesBigInteger(@ForAll("moduli") long q, @ForAll long hi, @ForAll long lo) {
        Modulus m = new Modulus(q);
        BigInteger x = unsigned(hi).shiftLeft(64).add(unsigned(lo));
        assertEquals(x.mod(BigInteger.valueOf(q)).longValue(), m.reduceWide(hi, lo));
    }

    @Property(tries = 300)
    void shoupProductMatchesBarrett(@ForAll("moduli") long q, @ForAll long x0, @ForAll long w0) {
        Modulus m = new Modulus(q);
        long w = Math.floorMod(w0, q);
        long x = x0 & Long.MAX_VALUE >>> 1; // any x < 2^62, as the lazy NTT feeds
        long lazy = m.mulShoupLazy(x, w, m.shoup(w));
        long expected = m.mul(m.reduce(x), w);
        assertEquals(expected, lazy >= q ? lazy - q : lazy);
        assertEquals(true, lazy >= 0 && lazy < 2 * q, "lazy Shoup product must lie in [0, 2q)");
    }

    @Property(tries = 300)
    void shoupCompanionIsExactQuotient(@ForAll("moduli") long q, @ForAll long w0, @ForAll long lo) {
        Modulus m = new Modulus(q);
        long w = Math.floorMod(w0, q);
        assertEquals(BigInteger.valueOf(w).shiftLeft(64).divide(BigInteger.valueOf(q)).longValue(), m.shoup(w));
        BigInteger x = BigInteger.valueOf(w).shiftLeft(64).add(unsigned(lo));
        assertEquals(x.divide(BigInteger.valueOf(q)).longValue(), m.quotient128(w, lo));
    }

    @Property(tries = 200)
    void signedLiftIsFloorMod(@ForAll("moduli") long q, @ForAll long x) {
        assertEquals(Math.floorMod(x, q), new Modulus(q).fromSigned(x));
    }

    @Test
    void rejectsEvenAndOversizedModuli() {
        assertThrows(IllegalArgumentException.class, () -> new Modulus(1L << 40));
        assertThrows(IllegalArgumentException.class, () -> new Modulus((1L << 62) + 1));
    }

    @Test
    void nttPrimesAreNttFriendlyPrimes() {
        for (long q : Primes.nttPrimesBelow(54, 4096, 2)) {
            assertEquals(true, BigInteger.valueOf(q).isProbablePrime(80));
            assertEquals(1, q % 8192);
            assertEquals(54, 64 - Long.numberOfLeadingZeros(q));
        }
    }
}
