package org.medveil.dicom.pixel;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Tag;

/** The Image Pixel module attributes that say how to lay out and decode Pixel Data. */
public record PixelDescription(int rows, int columns, int samplesPerPixel, int bitsAllocated, int bitsStored,
                               int pixelRepresentation, int planarConfiguration, String photometric, int frames) {

    public static PixelDescription of(DataSet ds) throws DicomException {
        int rows = ds.getInt(Tag.Rows, -1);
        int cols = ds.getInt(Tag.Columns, -1);
        int ba = ds.getInt(Tag.BitsAllocated, -1);
        if (rows <= 0 || cols <= 0 || ba <= 0) {
            throw new DicomException("the data set lacks Rows, Columns or Bits Allocated, so its Pixel Data cannot be "
                    + "laid out; check that it is an image");
        }
        int spp = Math.max(1, ds.getInt(Tag.SamplesPerPixel, 1));
        if (ba != 1 && ba % 8 != 0 || ba > 32 || spp > 4) {
            throw new DicomException("unsupported pixel layout: Bits Allocated " + ba + ", Samples per Pixel " + spp);
        }
        String pi = ds.getString(Tag.PhotometricInterpretation);
        return new PixelDescription(rows, cols, spp, ba, ds.getInt(Tag.BitsStored, ba),
                ds.getInt(Tag.PixelRepresentation, 0), ds.getInt(Tag.PlanarConfiguration, 0),
                pi == null ? "MONOCHROME2" : pi, Math.max(1, ds.getInt(Tag.NumberOfFrames, 1)));
    }

    /** Bytes of one native frame (YBR_FULL_422 stores two chroma samples per two pixels). */
    public long frameLength() {
        long samples = "YBR_FULL_422".equals(photometric) && samplesPerPixel == 3 ? 2 : samplesPerPixel;
        long bits = (long) rows * columns * samples * bitsAllocated;
        return (bits + 7) / 8;
    }

    public int bytesPerSample() { return Math.max(1, bitsAllocated / 8); }

    public PixelDescription withColour(String photometricInterpretation, int planar) {
        return new PixelDescription(rows, columns, samplesPerPixel, bitsAllocated, bitsStored, pixelRepresentation,
                planar, photometricInterpretation, frames);
    }
}
