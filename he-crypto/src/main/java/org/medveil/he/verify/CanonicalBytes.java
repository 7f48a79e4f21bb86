package org.medveil.he.verify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The canonical byte form of a signed message: a 4-byte magic, a 1-byte version, then fields in a
 * fixed order, each variable-length field as a u32 big-endian length followed by its bytes and
 * each number in fixed big-endian width. Two different messages never share a byte form, so a
 * signature cannot be moved from one field layout or message kind to another.
 */
public final class CanonicalBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    public CanonicalBytes(String magic, int version) {
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        if (m.length != 4) {
            throw new IllegalArgumentException("magic must be 4 ASCII bytes");
        }
        out.writeBytes(m);
        out.write(version);
    }

    public CanonicalBytes bytes(byte[] field) {
        u32(field.length);
        out.writeBytes(field);
        return this;
    }

    public CanonicalBytes text(String field) {
        return bytes(field.getBytes(StandardCharsets.UTF_8));
    }

    public CanonicalBytes u32(int v) {
        for (int s = 24; s >= 0; s -= 8) {
            out.write(v >>> s);
        }
        return this;
    }

    public CanonicalBytes u64(long v) {
        for (int s = 56; s >= 0; s -= 8) {
            out.write((int) (v >>> s));
        }
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
