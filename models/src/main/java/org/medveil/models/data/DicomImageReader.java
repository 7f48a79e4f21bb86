package org.medveil.models.data;

import java.io.IOException;
import java.nio.file.Path;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Tag;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.pixel.PixelDecoder;

/**
 * Reads one DICOM file into a normalized size×size image: first frame, modality values,
 * {@link Normalization}, bilinear resize. Thread-safe (holds only immutable configuration).
 */
public final class DicomImageReader {
    /** An image read from a file, before it is joined to a label. */
    public record Decoded(String sopInstanceUid, String modality, float[] pixels) {}

    private final DicomReader reader = new DicomReader();
    private final PixelDecoder pixels = new PixelDecoder();
    private final Normalization normalization;
    private final int size;

    public DicomImageReader(Normalization normalization, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + size);
        }
        this.normalization = normalization;
        this.size = size;
    }

    public int size() { return size; }

    /** Reads {@code file}; errors name the file by its name only (our layouts keep PHI out of names). */
    public Decoded read(Path file) {
        String where = "file " + file.getFileName();
        DicomFile f;
        try {
            f = reader.read(file);
        } catch (IOException e) {
            throw new DatasetException(where + " is not readable DICOM: " + e.getMessage(), e);
        }
        try {
            // Compressed pixel data (RLE, JPEG, JPEG-LS, JPEG 2000) is decoded to native frames first.
            f = pixels.toNative(f);
        } catch (DicomException e) {
            throw new DatasetException(where + ": its compressed pixel data cannot be decoded: " + e.getMessage(), e);
        }
        return decode(f.dataSet(), where);
    }

    /** Decodes an already parsed data set. */
    public Decoded decode(DataSet ds, String where) {
        Frame frame = NativePixels.firstFrame(ds, where);
        float[] normalized = normalization.apply(frame);
        float[] pixels = Images.resize(normalized, frame.rows(), frame.columns(), size);
        String uid = ds.getString(Tag.SOPInstanceUID);
        return new Decoded(uid, frame.modality(), pixels);
    }
}
