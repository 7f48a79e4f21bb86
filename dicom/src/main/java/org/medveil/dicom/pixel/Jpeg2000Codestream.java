package org.medveil.dicom.pixel;

import org.medveil.dicom.DicomException;

import java.util.Arrays;

/**
 * Reads the headers of a JPEG 2000 frame (ISO 15444-1 Annex A) before jai-imageio (jj2000) decodes
 * it, because jj2000 decodes what it is given without saying when that is not the whole image:
 * <ul>
 * <li>It trusts the tile-part count TNsot. GDCM wrote codestreams with one tile-part per
 *     resolution level and a TNsot one too small (pydicom's {@code GDCMJ2K_TextGBR.dcm}: parts
 *     0..5 of "5"); jj2000 then skips the finest resolution and returns a blurred image with
 *     success (issue 9). It also decodes wrongly when TNsot is 0 ("not known"), which the
 *     standard allows. Both are repaired here by writing the real count into every SOT.</li>
 * <li>A truncated codestream decodes to a partial image without an error; here every tile must
 *     be present, each with its declared tile-parts, and the tile-part chain must end at EOC.</li>
 * </ul>
 * A JP2 file wrapper (which DICOM does not allow but GDCM used to write) is removed: the data set,
 * not the wrapper's colour boxes, says how to interpret the samples.
 */
final class Jpeg2000Codestream {
    /** Largest component precision we decode: jj2000 works in 32-bit ints and gives 0 for 32-bit samples. */
    static final int MAX_PRECISION = 16;

    private Jpeg2000Codestream() {}

    /**
     * @param codestream  the bare codestream, with tile-part counts repaired
     * @param signed      the components are signed (Ssiz bit 7)
     * @param reversible  every tile-component uses the 5-3 reversible wavelet (exact decoding)
     * @param colourTransform the codestream's multiple component transform (RCT or ICT) is on
     */
    record Info(byte[] codestream, int width, int height, int components, int precision, boolean signed,
                boolean reversible, boolean colourTransform) {}

    static Info parse(byte[] frame) throws DicomException {
        byte[] cs = unwrapJp2(frame);
        return new Reader(cs).read();
    }

    private static byte[] unwrapJp2(byte[] f) throws DicomException {
        boolean jp2 = f.length >= 12 && u32(f, 0) == 12 && u32(f, 4) == 0x6A502020 && u32(f, 8) == 0x0D0A870A;
        if (!jp2) {
            return f;
        }
        int p = 0;
        while (p + 8 <= f.length) {
            long len = u32(f, p);
            int type = (int) u32(f, p + 4);
            int header = 8;
            if (len == 1) {
                if (p + 16 > f.length) {
                    break;
                }
                len = (u32(f, p + 8) << 32) | u32(f, p + 12);
                header = 16;
            } else if (len == 0) {
                len = f.length - p;
            }
            if (len < header) {
                break;
            }
            if (p + len > f.length) {
                if (type == 0x6A703263) {
                    throw new DicomException("JPEG 2000 codestream box (jp2c) runs past the end of the frame "
                            + "(truncated frame)");
                }
                break;
            }
            if (type == 0x6A703263) { // 'jp2c'
                return Arrays.copyOfRange(f, p + header, (int) (p + len));
            }
            p += (int) len;
        }
        throw new DicomException("JPEG 2000 frame has a JP2 file header but no complete codestream box (jp2c)");
    }

    private static long u32(byte[] b, int p) {
        return ((long) (b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    private static final class Reader {
        private final byte[] cs;
        private int width;
        private int height;
        private int components;
        private int precision;
        private boolean signed;
        private boolean reversible = true;
        private boolean colourTransform;
        private int tiles;

        Reader(byte[] cs) {
            this.cs = cs.clone();
        }

        private int u16(int p) throws DicomException {
            if (p + 2 > cs.length) {
                throw truncated();
            }
            return ((cs[p] & 0xFF) << 8) | (cs[p + 1] & 0xFF);
        }

        private long u32at(int p) throws DicomException {
            if (p + 4 > cs.length) {
                throw truncated();
            }
            return u32(cs, p);
        }

        private static DicomException truncated() {
            return new DicomException("JPEG 2000 codestream ends early (truncated frame)");
        }

        Info read() throws DicomException {
            if (cs.length < 4 || u16(0) != 0xFF4F || u16(2) != 0xFF51) {
                throw new DicomException("not a JPEG 2000 codestream (no SOC and SIZ markers at the start of the frame)");
            }
            int p = 2;
            boolean cod = false;
            while (true) { // main header
                int m = u16(p);
                if (m == 0xFF90) {
                    break;
                }
                if ((m & 0xFF00) != 0xFF00) {
                    throw new DicomException(String.format("JPEG 2000 main header has no marker at byte %d", p));
                }
                int len = u16(p + 2);
                if (len < 2 || p + 2 + len > cs.length) {
                    throw truncated();
                }
                switch (m) {
                    case 0xFF51 -> siz(p + 4, len - 2);
                    case 0xFF52 -> {
                        cod(p + 4, len - 2, true);
                        cod = true;
                    }
                    case 0xFF53 -> coc(p + 4, len - 2);
                    default -> { } // QCD, QCC, RGN, POC, PPM, TLM, PLM, CRG, COM
                }
                p += 2 + len;
            }
            if (!cod) {
                throw new DicomException("JPEG 2000 main header has no COD marker");
            }
            tileParts(p);
            return new Info(cs, width, height, components, precision, signed, reversible, colourTransform);
        }

        private void siz(int p, int len) throws DicomException {
            components = u16(p + 34);
            if (components < 1 || len != 36 + 3 * components) {
                throw new DicomException("JPEG 2000 SIZ marker is malformed");
            }
            long xs = u32at(p + 2);
            long ys = u32at(p + 6);
            long xo = u32at(p + 10);
            long yo = u32at(p + 14);
            long xt = u32at(p + 18);
            long yt = u32at(p + 22);
            long xto = u32at(p + 26);
            long yto = u32at(p + 30);
            if (xs <= xo || ys <= yo || xt == 0 || yt == 0 || xto > xo || yto > yo || xs - xo > Integer.MAX_VALUE
                    || ys - yo > Integer.MAX_VALUE) {
                throw new DicomException("JPEG 2000 SIZ marker gives an invalid image or tile size");
            }
            width = (int) (xs - xo);
            height = (int) (ys - yo);
            long nt = ((xs - xto + xt - 1) / xt) * ((ys - yto + yt - 1) / yt);
            if (nt > 65535) {
                throw new DicomException("JPEG 2000 SIZ marker gives " + nt + " tiles (at most 65535)");
            }
            tiles = (int) nt;
            for (int c = 0; c < components; c++) {
                int ssiz = cs[p + 36 + 3 * c] & 0xFF;
                int xr = cs[p + 37 + 3 * c] & 0xFF;
                int yr = cs[p + 38 + 3 * c] & 0xFF;
                int bits = (ssiz & 0x7F) + 1;
                boolean sgn = (ssiz & 0x80) != 0;
                if (c == 0) {
                    precision = bits;
                    signed = sgn;
                } else if (bits != precision || sgn != signed) {
                    throw new DicomException("JPEG 2000 components differ in precision or sign; not supported");
                }
                if (xr != 1 || yr != 1) {
                    throw new DicomException("JPEG 2000 component " + (c + 1) + " is sub-sampled (" + xr + "x" + yr
                            + "); DICOM samples must all have the image's size");
                }
            }
        }

        private void cod(int p, int len, boolean main) throws DicomException {
            if (len < 10) {
                throw new DicomException("JPEG 2000 COD marker is malformed");
            }
            int mct = cs[p + 4] & 0xFF;
            if (mct > 1) {
                throw new DicomException("JPEG 2000 multiple component transform " + mct + " (Part 2) is not supported");
            }
            if (main) {
                colourTransform = mct == 1;
            } else if (colourTransform != (mct == 1)) {
                throw new DicomException("JPEG 2000 tiles differ in their colour transform; not supported");
            }
            reversible &= (cs[p + 9] & 0xFF) == 1;
        }

        private void coc(int p, int len) throws DicomException {
            int idx = components < 257 ? 1 : 2;
            if (len < idx + 6) {
                throw new DicomException("JPEG 2000 COC marker is malformed");
            }
            reversible &= (cs[p + idx + 5] & 0xFF) == 1;
        }

        /** Walks the SOT chain: every tile present, all its parts present, ends at EOC; repairs TNsot. */
        private void tileParts(int first) throws DicomException {
            int[] found = new int[tiles];
            int[] declared = new int[tiles];
            int p = first;
            int count = 0;
            int[] sotAt = new int[16];
            while (p + 1 < cs.length && u16(p) == 0xFF90) {
                if (u16(p + 2) != 10 || p + 12 > cs.length) {
                    throw new DicomException("JPEG 2000 SOT marker is malformed");
                }
                int tile = u16(p + 4);
                long psot = u32at(p + 6);
                int part = cs[p + 10] & 0xFF;
                int parts = cs[p + 11] & 0xFF;
                if (tile >= tiles) {
                    throw new DicomException("JPEG 2000 tile-part names tile " + tile + " of " + tiles);
                }
                if (part != found[tile]) {
                    throw new DicomException("JPEG 2000 tile " + tile + " has tile-part " + part + " where part "
                            + found[tile] + " was expected (missing or reordered data)");
                }
                if (parts != 0) {
                    if (declared[tile] != 0 && declared[tile] != parts) {
                        throw new DicomException("JPEG 2000 tile " + tile + " declares " + declared[tile] + " and "
                                + parts + " tile-parts");
                    }
                    declared[tile] = parts;
                }
                tilePartHeader(p + 12);
                found[tile]++;
                if (count == sotAt.length) {
                    sotAt = Arrays.copyOf(sotAt, count * 2);
                }
                sotAt[count++] = p;
                if (psot == 0) { // the last tile-part runs to EOC
                    int eoc = lastEoc();
                    if (eoc < p + 12) {
                        throw truncated();
                    }
                    p = eoc;
                    break;
                }
                if (psot < 14 || p + psot > cs.length) {
                    throw truncated();
                }
                p += (int) psot;
            }
            boolean atEnd = p == cs.length || (p + 2 <= cs.length && u16(p) == 0xFFD9 && onlyPadding(p + 2));
            if (!atEnd) {
                throw new DicomException("JPEG 2000 codestream has data after its last tile-part or no EOC marker "
                        + "(truncated or corrupt frame)");
            }
            for (int t = 0; t < tiles; t++) {
                if (found[t] == 0) {
                    throw new DicomException("JPEG 2000 tile " + t + " of " + tiles + " is missing (truncated frame)");
                }
                if (declared[t] > found[t]) {
                    throw new DicomException("JPEG 2000 tile " + t + " has " + found[t] + " of its " + declared[t]
                            + " tile-parts (truncated frame)");
                }
            }
            for (int i = 0; i < count; i++) { // jj2000 reads exactly TNsot parts: write the real counts
                int at = sotAt[i];
                cs[at + 11] = (byte) found[u16(at + 4)];
            }
        }

        /** A tile-part header may switch a tile to the irreversible wavelet. */
        private void tilePartHeader(int p) throws DicomException {
            while (true) {
                int m = u16(p);
                if (m == 0xFF93) { // SOD
                    return;
                }
                int len = u16(p + 2);
                if ((m & 0xFF00) != 0xFF00 || len < 2 || p + 2 + len > cs.length) {
                    throw new DicomException("JPEG 2000 tile-part header is malformed");
                }
                if (m == 0xFF52) {
                    cod(p + 4, len - 2, false);
                } else if (m == 0xFF53) {
                    coc(p + 4, len - 2);
                }
                p += 2 + len;
            }
        }

        private int lastEoc() {
            int end = cs.length;
            while (end > 0 && cs[end - 1] == 0) {
                end--;
            }
            return end >= 2 && (cs[end - 2] & 0xFF) == 0xFF && (cs[end - 1] & 0xFF) == 0xD9 ? end - 2 : -1;
        }

        private boolean onlyPadding(int from) {
            for (int i = from; i < cs.length; i++) {
                if (cs[i] != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
