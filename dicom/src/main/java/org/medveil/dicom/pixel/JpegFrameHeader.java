package org.medveil.dicom.pixel;

/**
 * The frame header (SOFn) of a JPEG stream, read without decoding, so PixelDecoder can pick the
 * decoder by coding process and check precision, size and components against the data set.
 */
public record JpegFrameHeader(int sofMarker, int precision, int height, int width, int components) {

    /** Lossless process 14 (SOF3, Huffman). */
    public boolean lossless() { return sofMarker == 0xC3; }

    /** Huffman DCT: baseline (SOF0), extended (SOF1) or progressive (SOF2). */
    public boolean huffmanDct() { return sofMarker >= 0xC0 && sofMarker <= 0xC2; }

    /** The first SOFn before the first scan, or null if the frame does not start with SOI or has none. */
    public static JpegFrameHeader of(byte[] d) {
        if (d.length < 4 || (d[0] & 0xFF) != 0xFF || (d[1] & 0xFF) != 0xD8) {
            return null;
        }
        int p = 2;
        while (p + 4 <= d.length) {
            if ((d[p] & 0xFF) != 0xFF) {
                return null;
            }
            int m = d[p + 1] & 0xFF;
            if (m == 0xFF) { // fill byte
                p++;
                continue;
            }
            if (m == 0xDA || m == 0xD9) {
                return null;
            }
            int len = ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
            boolean sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
            if (sof && p + 10 <= d.length) {
                return new JpegFrameHeader(m, d[p + 4] & 0xFF, ((d[p + 5] & 0xFF) << 8) | (d[p + 6] & 0xFF),
                        ((d[p + 7] & 0xFF) << 8) | (d[p + 8] & 0xFF), d[p + 9] & 0xFF);
            }
            p += 2 + len;
        }
        return null;
    }
}
