package org.medveil.he.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian bit packing of residues at the bit width of their prime (54 bits, not 64). */
final class BitPacking {

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private BitPacking() {
    }

    static int packedBytes(int count, int bits) {
        return (int) (((long) count * bits + 7) >>> 3);
    }

    /** Writes count values of {@code bits} bits (each &lt; 2^bits) at out[offset..]; returns the end offset. */
    static int pack(long[] values, int count, int bits, byte[] out, int offset) {
        long acc = 0;
        int accBits = 0;
        int p = offset;
        for (int j = 0; j < count; j++) {
            long x = values[j];
            acc |= x << accBits;
            if (accBits + bits >= 64) {
                LONGS.set(out, p, acc);
                p += 8;
                int used = 64 - accBits; // bits of x already written, in [1, bits]
                acc = used == 64 ? 0 : x >>> used;
                accBits = bits - used;
            } else {
                accBits += bits;
            }
        }
        while (accBits > 0) {
            out[p++] = (byte) acc;
            acc >>>= 8;
            accBits -= 8;
        }
        return p;
    }

    /**
     * Reads count values of {@code bits} bits from in[offset..]; returns the index of the first
     * value ≥ limit, or -1 if all are below it.
     */
    static int unpack(byte[] in, int offset, int count, int bits, long[] out, long limit) {
        long mask = (1L << bits) - 1;
        int end = offset + packedBytes(count, bits);
        long acc = 0;
        int accBits = 0;
        int p = offset;
        int firstBad = -1;
        for (int j = 0; j < count; j++) {
            long x;
            if (accBits >= bits) {
                x = acc & mask;
                acc >>>= bits;
                accBits -= bits;
            } else {
                long next = 0;
                int nextBits = 0;
                if (p + 8 <= end) {
                    next = (long) LONGS.get(in, p);
                    p += 8;
                    nextBits = 64;
                } else {
                    while (p < end) {
                        next |= (in[p++] & 0xFFL) << nextBits;
                        nextBits += 8;
                    }
                }
                x = (acc | (next << accBits)) & mask;
                int used = bits - accBits;
                acc = next >>> used;
                accBits = nextBits - used;
            }
            if (x >= limit && firstBad < 0) {
                firstBad = j;
            }
            out[j] = x;
        }
        return firstBad;
    }
}
