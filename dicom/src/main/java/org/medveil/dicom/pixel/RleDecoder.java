package org.medveil.dicom.pixel;

import org.medveil.dicom.DicomException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits
 * segment per byte plane (most significant byte of each sample first). Output is interleaved
 * (Planar Configuration 0), little endian. Ours because it is small and no Central library has it.
 */
public final class RleDecoder {
    private RleDecoder() {}

    public static byte[] decodeFrame(byte[] frame, PixelDescription d) throws DicomException {
        if (frame.length < 64) {
            throw new DicomException("RLE frame of " + frame.length + " bytes is shorter than its 64-byte header");
        }
        ByteBuffer h = ByteBuffer.wrap(frame, 0, 64).order(ByteOrder.LITTLE_ENDIAN);
        int segments = h.getInt();
        int bps = d.bytesPerSample();
        int expected = d.samplesPerPixel() * bps;
        if (segments != expected) {
            throw new DicomException("RLE frame has " + segments + " segments but the image needs " + expected
                    + " (samples per pixel x bytes per sample)");
        }
        long[] offsets = new long[segments + 1];
        for (int i = 0; i < segments; i++) {
            offsets[i] = Integer.toUnsignedLong(h.getInt());
        }
        offsets[segments] = frame.length;
        int pixels = d.rows() * d.columns();
        byte[] out = new byte[pixels * expected];
        byte[] plane = new byte[pixels];
        for (int s = 0; s < segments; s++) {
            long start = offsets[s];
            long end = offsets[s + 1];
            if (start < 64 || end > frame.length || start > end) {
                throw new DicomException("RLE segment " + s + " offsets " + start + ".." + end + " lie outside the "
                        + frame.length + "-byte frame");
            }
            unpack(frame, (int) start, (int) end, plane, s);
            int sample = s / bps;
            int byteInSample = bps - 1 - (s % bps); // segment 0 holds the most significant byte
            for (int p = 0; p < pixels; p++) {
                out[(p * d.samplesPerPixel() + sample) * bps + byteInSample] = plane[p];
            }
        }
        return out;
    }

    /** PackBits: n in 0..127 copies n+1 bytes, -127..-1 repeats the next byte 1-n times, -128 is a no-op. */
    private static void unpack(byte[] in, int pos, int end, byte[] out, int segment) throws DicomException {
        int o = 0;
        java.util.Arrays.fill(out, (byte) 0);
        while (pos < end && o < out.length) {
            int n = in[pos++];
            if (n >= 0) {
                int count = n + 1;
                if (pos + count > end) {
                    throw new DicomException("RLE segment " + segment + " literal run overruns the segment");
                }
                int k = Math.min(count, out.length - o);
                System.arraycopy(in, pos, out, o, k);
                o += k;
                pos += count;
            } else if (n != -128) {
                if (pos >= end) {
                    throw new DicomException("RLE segment " + segment + " ends inside a replicate run");
                }
                int count = 1 - n;
                byte v = in[pos++];
                int k = Math.min(count, out.length - o);
                java.util.Arrays.fill(out, o, o + k, v);
                o += k;
            }
        }
        if (o < out.length) {
            throw new DicomException("RLE segment " + segment + " decodes to " + o + " bytes, the image needs " + out.length);
        }
    }
}
