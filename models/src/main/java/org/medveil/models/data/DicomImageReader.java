package org.medveil.models.data;

import java.io.IOException;
import java.nio.file.Path;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Tag;
import org.medveil.dicom.io.DicomReader;

/**
 * Reads one DICOM file into a normalized size×size image: first frame, modality values,
 * {@link Normalization}, bilinear resize. Thread-safe (holds only immutable configuration).
 */
public final class DicomImageReader {
    /** An image read from a file, before it is joined to a label. */
    public record Decoded(String sopInstanceUid, String modality, float[] pixels) {}

    private final DicomReader reader = new DicomReader();
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
        DataSet ds;
        try {
            ds = reader.read(file).dataSet();
        } catch (IOException e) {
            throw new DatasetException(where + " is not readable DICOM: " + e.getMessage(), e);
        }
        return decode(ds, where);
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
