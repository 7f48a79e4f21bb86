package org.medveil.dicom.occlusion;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Element;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.pixel.PixelDecoder;
import org.medveil.dicom.pixel.PixelDescription;

import java.util.List;

/**
 * Blanks rectangles in every frame of native pixel data. Compressed pixel data is decoded first
 * and the result is explicit VR little endian (PS3.5: changed pixels are re-encoded); pixel data
 * we cannot decode cannot be blanked and is refused. Blank means the darkest value: 0, or the
 * largest stored value for MONOCHROME1; YBR chroma goes to its neutral middle.
 */
public final class PixelBlanker {
    private final PixelDecoder decoder;

    public PixelBlanker(PixelDecoder decoder) { this.decoder = decoder; }

    public PixelBlanker() { this(new PixelDecoder()); }

    public DicomFile blank(DicomFile file, List<Rectangle> rects) throws OcclusionException {
        DicomFile f;
        try {
            f = file.dataSet().get(Tag.PixelData) instanceof FragmentsElement ? decoder.toNative(file) : file;
        } catch (DicomException e) {
            throw new OcclusionException("pixel data must be blanked but cannot be decoded (" + e.getMessage() + ")", e);
        }
        DataSet ds = f.dataSet();
        Element e = ds.get(Tag.PixelData);
        if (!(e instanceof ValueElement v)) {
            throw new OcclusionException("pixel data must be blanked but is " + (e == null ? "absent"
                    : "not loaded (bulk data)") + "; read the file with pixel data loaded");
        }
        PixelDescription d;
        try {
            d = PixelDescription.of(ds);
        } catch (DicomException ex) {
            throw new OcclusionException(ex.getMessage(), ex);
        }
        if (d.bitsAllocated() < 8) {
            throw new OcclusionException("cannot blank " + d.bitsAllocated() + "-bit pixel data; only 8, 16 and 32 bits");
        }
        long frameLen = d.frameLength();
        if ((long) v.length() < frameLen * d.frames()) {
            throw new OcclusionException("Pixel Data has " + v.length() + " bytes but " + d.frames() + " frame(s) of "
                    + frameLen + " bytes are declared");
        }
        byte[] px = v.value().clone();
        for (int fr = 0; fr < d.frames(); fr++) {
            for (Rectangle r : rects) {
                blankFrame(px, (int) (fr * frameLen), d, r);
            }
        }
        ds.put(new ValueElement(Tag.PixelData, v.vr(), px));
        return new DicomFile(f.meta(), ds, f.transferSyntax(), f.dataSetOffset());
    }

    private static void blankFrame(byte[] px, int base, PixelDescription d, Rectangle r) {
        int rows = d.rows();
        int cols = d.columns();
        int x1 = r.right(cols);
        int y1 = r.bottom(rows);
        if (r.x() >= cols || r.y() >= rows) {
            return;
        }
        int bps = d.bytesPerSample();
        int spp = d.samplesPerPixel();
        String pi = d.photometric();
        boolean ybr = pi.startsWith("YBR");
        if (pi.equals("YBR_FULL_422") && spp == 3) {
            // Y Y Cb Cr per pair of pixels: blank whole pairs
            int pairs = cols / 2;
            for (int y = r.y(); y < y1; y++) {
                for (int p = r.x() / 2; p < Math.min(pairs, (x1 + 1) / 2); p++) {
                    int o = base + (y * pairs + p) * 4 * bps;
                    put(px, o, bps, 0);
                    put(px, o + bps, bps, 0);
                    put(px, o + 2 * bps, bps, 1 << (d.bitsStored() - 1));
                    put(px, o + 3 * bps, bps, 1 << (d.bitsStored() - 1));
                }
            }
            return;
        }
        int dark = darkest(d);
        int plane = rows * cols * bps;
        for (int y = r.y(); y < y1; y++) {
            for (int x = r.x(); x < x1; x++) {
                int pixel = y * cols + x;
                for (int s = 0; s < spp; s++) {
                    int value = ybr && s > 0 ? 1 << (d.bitsStored() - 1) : (spp == 1 ? dark : 0);
                    int o = d.planarConfiguration() == 1 && spp > 1 ? base + s * plane + pixel * bps
                            : base + (pixel * spp + s) * bps;
                    put(px, o, bps, value);
                }
            }
        }
    }

    /** Darkest single-sample value: largest stored value for MONOCHROME1, smallest otherwise. */
    private static int darkest(PixelDescription d) {
        boolean signed = d.pixelRepresentation() == 1;
        int bits = Math.min(31, d.bitsStored());
        if (d.photometric().equals("MONOCHROME1")) {
            return signed ? (1 << (bits - 1)) - 1 : (int) ((1L << bits) - 1);
        }
        return signed && d.photometric().equals("MONOCHROME2") ? -(1 << (bits - 1)) : 0;
    }

    private static void put(byte[] px, int o, int bps, int value) {
        for (int k = 0; k < bps && o + k < px.length; k++) {
            px[o + k] = (byte) (value >>> (8 * k));
        }
    }
}
