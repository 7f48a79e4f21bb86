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

    /**
     * Reads a canonical form back, strictly: wrong magic or version, a length past the end, or
     * bytes left over throw IllegalArgumentException. Receivers parse the exact signed bytes, so
     * the fields they act on are the fields that were signed.
     */
    public static final class Reader {
        private final byte[] in;
        private int at;

        public Reader(byte[] in, String magic, int version) {
            this.in = in;
            byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
            if (in.length < 5 || !java.util.Arrays.equals(in, 0, 4, m, 0, 4) || (in[4] & 0xff) != version) {
                throw new IllegalArgumentException("not a " + magic + " v" + version + " message");
            }
            at = 5;
        }

        public int u32() {
            need(4);
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (in[at++] & 0xff);
            }
            return v;
        }

        public long u64() {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (in[at++] & 0xff);
            }
            return v;
        }

        public byte[] bytes() {
            int n = u32();
            if (n < 0) {
                throw new IllegalArgumentException("negative field length at byte " + (at - 4));
            }
            need(n);
            byte[] out = java.util.Arrays.copyOfRange(in, at, at + n);
            at += n;
            return out;
        }

        public String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        /** Throws when bytes are left over. */
        public void end() {
            if (at != in.length) {
                throw new IllegalArgumentException((in.length - at) + " unexpected bytes after the message");
            }
        }

        private void need(int n) {
            if (n > in.length - at) {
                throw new IllegalArgumentException("message ends at byte " + in.length + ", " + n + " more expected");
            }
        }
    }
}
