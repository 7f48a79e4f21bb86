package org.medveil.he.rlwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;
import org.medveil.he.ValueOutOfRangeException;

class EncoderTest {

    private static final HeContext CTX = new HeContext(Params.defaults());
    private static final HeContext LARGE = new HeContext(Params.byName("n8192"));

    /** Without noise, decode(encode(x)) is x rounded to the grid 2^-80: exact for these doubles. */
    @Property(tries = 200)
    void encodingRoundTripsExactly(@ForAll @DoubleRange(min = -6.7e7, max = 6.7e7) double x) {
        Encoder enc = new Encoder(CTX);
        double[] v = {x, -x, x / 3, 0};
        Plaintext pt = enc.encode(v, 6.7e7);
        double[] back = enc.decode(pt.poly(), v.length, pt.bound());
        for (int i = 0; i < v.length; i++) {
            double expected = Math.scalb(Math.rint(Math.scalb(v[i], 80)), -80);
            assertEquals(expected, back[i], 0.0, "slot " + i);
        }
    }

    @Property(tries = 100)
    void largeSetCarriesBigValuesExactly(@ForAll @DoubleRange(min = -7e13, max = 7e13) double x) {
        Encoder enc = new Encoder(LARGE);
        double[] v = {x, 1e-9, -x};
        double[] back = enc.decode(enc.encode(v, 7e13).poly(), 3, 7e13);
        assertEquals(x, back[0], 0.0);
        assertEquals(-x, back[2], 0.0);
        assertEquals(1e-9, back[1], 1e-20);
    }

    @Test
    void outOfRangeValuesAreErrorsNotWraps() {
        Encoder enc = new Encoder(CTX);
        assertThrows(ValueOutOfRangeException.class, () -> enc.encode(new double[] {2.0}, 1.0));
        assertThrows(ValueOutOfRangeException.class, () -> enc.encode(new double[] {Double.NaN}, 1.0));
        assertThrows(ValueOutOfRangeException.class, () -> enc.encode(new double[] {1.0}, 0x1p27));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[4097], 1.0));
    }
}
