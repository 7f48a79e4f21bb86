package org.medveil.coordinator.rounds;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Plain vectors as object parts: float32 (models) or float64 (plaintext updates), little-endian,
 * a fixed number of values per part, so a part of a plaintext update lines up with a ciphertext chunk.
 */
public final class Parts {

    /** Values per model part (4 MiB of float32). */
    public static final int MODEL_VALUES_PER_PART = 1 << 20;

    private Parts() {
    }

    /** A vector as parts of at most {@code perPart} float32 values (one empty part for an empty vector). */
    public static List<byte[]> floats(float[] v, int perPart) {
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        do {
            int n = Math.min(perPart, v.length - from);
            ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                b.putFloat(v[from + i]);
            }
            out.add(b.array());
            from += n;
        } while (from < v.length);
        return out;
    }

    public static float[] readFloats(Iterator<byte[]> parts, long count, String what) {
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + " has " + count + " values; at most 2^31 fit one vector");
        }
        float[] out = new float[(int) count];
        int at = 0;
        while (parts.hasNext()) {
            ByteBuffer b = ByteBuffer.wrap(parts.next()).order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() % 4 != 0 || at + b.remaining() / 4 > out.length) {
                throw new IllegalArgumentException(what + " does not hold " + count + " float32 values");
            }
            while (b.hasRemaining()) {
                out[at++] = b.getFloat();
            }
        }
        if (at != out.length) {
            throw new IllegalArgumentException(what + " holds " + at + " values, expected " + count);
        }
        return out;
    }

    public static double[] readDoublePart(byte[] part) {
        ByteBuffer b = ByteBuffer.wrap(part).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() % 8 != 0) {
            throw new IllegalArgumentException("a plaintext part must hold whole float64 values");
        }
        double[] out = new double[b.remaining() / 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getDouble();
        }
        return out;
    }

    public static byte[] sha256(Iterator<byte[]> parts) {
        MessageDigest md = sha256();
        parts.forEachRemaining(md::update);
        return md.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
