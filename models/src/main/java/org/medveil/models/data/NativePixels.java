package org.medveil.models.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Element;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.ValueElement;

/**
 * Adapter over the dicom module: the first frame of native (uncompressed) grayscale pixel data as
 * modality values. The dicom module keeps raw little-endian bytes; this applies Bits Stored,
 * Pixel Representation and Rescale Slope/Intercept, which is all training needs. Callers decode
 * compressed pixel data first ({@code PixelDecoder.toNative}); {@link DicomImageReader} does.
 */
public final class NativePixels {
    private NativePixels() {}

    /** Frame 0 of {@code ds}; {@code where} names the source in error messages (no PHI). */
    public static Frame firstFrame(DataSet ds, String where) {
        Element pixel = ds.get(Tag.PixelData);
        if (pixel == null) {
            throw new DatasetException(where + " has no Pixel Data; only image objects can be used for training");
        }
        if (pixel instanceof FragmentsElement) {
            throw new DatasetException(where + " has compressed (encapsulated) pixel data; convert it to explicit VR "
                    + "little endian first (e.g. 'medveil dicom convert' or dcmdjpeg/dcmdrle)");
        }
        if (!(pixel instanceof ValueElement v)) {
            throw new DatasetException(where + ": pixel data was not loaded; read the file with bulk data loading enabled");
        }
        int samples = ds.getInt(Tag.SamplesPerPixel, 1);
        if (samples != 1) {
            throw new DatasetException(where + " has " + samples + " samples per pixel; the models take grayscale images only");
        }
        int rows = ds.getInt(Tag.Rows, 0);
        int cols = ds.getInt(Tag.Columns, 0);
        int allocated = ds.getInt(Tag.BitsAllocated, 0);
        int stored = ds.getInt(Tag.BitsStored, allocated);
        boolean signed = ds.getInt(Tag.PixelRepresentation, 0) == 1;
        if (rows <= 0 || cols <= 0) {
            throw new DatasetException(where + " has no valid Rows/Columns (" + rows + "x" + cols + ")");
        }
        if (allocated != 8 && allocated != 16 && allocated != 32 || stored < 1 || stored > allocated) {
            throw new DatasetException(where + ": Bits Allocated " + allocated + " / Bits Stored " + stored
                    + " is not supported; expected 8, 16 or 32 bits allocated");
        }
        int bytes = allocated / 8;
        long needed = (long) rows * cols * bytes;
        byte[] raw = v.value();
        if (raw.length < needed) {
            throw new DatasetException(where + ": Pixel Data has " + raw.length + " bytes, a " + rows + "x" + cols
                    + " frame of " + allocated + "-bit pixels needs " + needed + "; the file is truncated");
        }
        double slope = decimal(ds, Tags.RescaleSlope, 1.0);
        double intercept = decimal(ds, Tags.RescaleIntercept, 0.0);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[rows * cols];
        int shift = 32 - stored;
        for (int i = 0; i < out.length; i++) {
            int s = switch (bytes) {
                case 1 -> raw[i] & 0xFF;
                case 2 -> b.getShort(2 * i) & 0xFFFF;
                default -> b.getInt(4 * i);
            };
            // Keep only Bits Stored; sign-extend from its top bit when signed.
            long value = signed ? (long) ((s << shift) >> shift) : Integer.toUnsignedLong((s << shift) >>> shift);
            out[i] = (float) (value * slope + intercept);
        }
        String modality = ds.getString(Tags.Modality);
        boolean inverted = "MONOCHROME1".equals(ds.getString(Tag.PhotometricInterpretation));
        return new Frame(rows, cols, out, modality == null ? "OT" : modality.strip(), inverted);
    }

    /** First value of a DS element, or {@code fallback} when absent or unparsable. */
    static double decimal(DataSet ds, int tag, double fallback) {
        String s = ds.getString(tag);
        if (s == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
