package org.medveil.dicom.pixel;

import java.io.ByteArrayOutputStream;

/**
 * Test-only lossless JPEG (SOF3) encoder for one component, with restart intervals, which dcmtk
 * and gdcm cannot write. Deliberately plain: one Huffman table giving every difference category
 * a 5-bit code. Its output is checked against dcmdjpeg, so it is not our decoder testing itself.
 */
final class LosslessJpegWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int acc;
    private int bits;

    private LosslessJpegWriter() {}

    static byte[] encode(int[] samples, int width, int height, int precision, int predictor, int restartInterval) {
        LosslessJpegWriter w = new LosslessJpegWriter();
        w.marker(0xD8);
        w.segment(0xC3, precision, height >> 8, height, width >> 8, width, 1, 1, 0x11, 0);
        int[] dht = new int[1 + 16 + 17];
        dht[5] = 17; // BITS[5]: 17 codes of 5 bits, for categories 0..16 in order
        for (int c = 0; c <= 16; c++) {
            dht[17 + c] = c;
        }
        w.segment(0xC4, dht);
        if (restartInterval > 0) {
            w.segment(0xDD, restartInterval >> 8, restartInterval);
        }
        w.segment(0xDA, 1, 1, 0x00, predictor, 0, 0);
        int rowsPerInterval = restartInterval > 0 ? restartInterval / width : Integer.MAX_VALUE;
        int restarts = 0;
        boolean firstLine = true;
        for (int y = 0; y < height; y++) {
            if (y > 0 && y % rowsPerInterval == 0) {
                w.flush();
                w.marker(0xD0 + (restarts++ & 7));
                firstLine = true;
            }
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                int p;
                if (firstLine) {
                    p = x == 0 ? 1 << (precision - 1) : samples[i - 1];
                } else if (x == 0) {
                    p = samples[i - width];
                } else {
                    int a = samples[i - 1];
                    int b = samples[i - width];
                    int c = samples[i - width - 1];
                    p = switch (predictor) {
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> c;
                        case 4 -> a + b - c;
                        case 5 -> a + ((b - c) >> 1);
                        case 6 -> b + ((a - c) >> 1);
                        default -> (a + b) >> 1;
                    };
                }
                int d = (samples[i] - p) & 0xFFFF;
                d = d > 32768 ? d - 65536 : d;
                int category = d == 0 ? 0 : 32 - Integer.numberOfLeadingZeros(Math.abs(d));
                w.put(category, 5);
                if (category > 0 && category < 16) {
                    w.put(d > 0 ? d : d - 1 + (1 << category), category);
                }
            }
            firstLine = false;
        }
        w.flush();
        w.marker(0xD9);
        return w.out.toByteArray();
    }

    private void put(int value, int n) {
        for (int k = n - 1; k >= 0; k--) {
            acc = (acc << 1) | ((value >> k) & 1);
            if (++bits == 8) {
                out.write(acc);
                if (acc == 0xFF) {
                    out.write(0); // byte stuffing
                }
                acc = 0;
                bits = 0;
            }
        }
    }

    /** Pads the last byte with 1-bits. */
    private void flush() {
        while (bits != 0) {
            put(1, 1);
        }
    }

    private void marker(int m) {
        out.write(0xFF);
        out.write(m);
    }

    private void segment(int m, int... body) {
        marker(m);
        int len = body.length + 2;
        out.write(len >> 8);
        out.write(len);
        for (int b : body) {
            out.write(b & 0xFF);
        }
    }
}
