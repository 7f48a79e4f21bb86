package org.medveil.dicom.pixel;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Element;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.io.DicomFile;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Decodes Pixel Data into frames: native data is split, RLE is decoded here, JPEG baseline and
 * extended by our {@link JpegDctDecoder}, other JPEG (lossless, progressive) through the
 * TwelveMonkeys ImageIO reader, JPEG 2000 through
 * jai-imageio, JPEG-LS by our {@link JpegLsDecoder}. Lossy YBR JPEG is converted to RGB (as
 * dcmdjpeg does). Unknown syntaxes are refused with a message; such files still pass through the
 * codec untouched.
 */
public final class PixelDecoder {

    public DecodedPixels decode(DataSet ds, TransferSyntax ts) throws DicomException {
        PixelDescription d = PixelDescription.of(ds);
        Element e = ds.get(Tag.PixelData);
        if (e == null) {
            throw new DicomException("the data set has no Pixel Data (7fe0,0010)");
        }
        if (e instanceof ValueElement v) {
            return new DecodedPixels(d, splitNative(v.value(), d));
        }
        if (!(e instanceof FragmentsElement f)) {
            throw new DicomException("Pixel Data was left in the file (bulk data); read the file with loading enabled");
        }
        List<byte[]> frames = FrameFragments.frames(f, ds, d.frames());
        String uid = ts.uid();
        List<byte[]> out = new ArrayList<>(frames.size());
        if (uid.equals(TransferSyntax.RLE_LOSSLESS.uid())) {
            for (byte[] fr : frames) {
                out.add(RleDecoder.decodeFrame(fr, d));
            }
            return new DecodedPixels(d.withColour(d.photometric(), 0), out);
        }
        if (uid.equals(TransferSyntax.JPEG_LS_LOSSLESS.uid()) || uid.equals(TransferSyntax.JPEG_LS_NEAR_LOSSLESS.uid())) {
            for (byte[] fr : frames) {
                JpegLsDecoder.Image img = JpegLsDecoder.decode(fr, d.columns(), d.rows(), d.samplesPerPixel());
                if (img.width() != d.columns() || img.height() != d.rows() || img.components() != d.samplesPerPixel()) {
                    throw new DicomException("decoded JPEG-LS frame is " + img.width() + "x" + img.height() + "x"
                            + img.components() + " but the data set says " + d.columns() + "x" + d.rows() + "x"
                            + d.samplesPerPixel());
                }
                out.add(samplesToBytes(img.samples(), d.bytesPerSample()));
            }
            return new DecodedPixels(d.withColour(d.photometric(), 0), out);
        }
        boolean jpeg = uid.equals(TransferSyntax.JPEG_BASELINE.uid()) || uid.equals(TransferSyntax.JPEG_EXTENDED.uid())
                || uid.equals(TransferSyntax.JPEG_LOSSLESS.uid()) || uid.equals(TransferSyntax.JPEG_LOSSLESS_SV1.uid());
        boolean j2k = uid.equals(TransferSyntax.JPEG_2000_LOSSLESS.uid()) || uid.equals(TransferSyntax.JPEG_2000.uid());
        if (!jpeg && !j2k) {
            throw new DicomException("pixel data in " + ts.name() + " cannot be decoded here (no Java decoder on Maven "
                    + "Central for it); the file is kept and passed through unchanged, or decode it with dcmtk first");
        }
        boolean lossyYbr = jpeg && (uid.equals(TransferSyntax.JPEG_BASELINE.uid()) || uid.equals(TransferSyntax.JPEG_EXTENDED.uid()))
                && d.samplesPerPixel() == 3 && d.photometric().startsWith("YBR_FULL");
        // sequential DCT (8/12-bit): ours, equal to dcmdjpeg; ImageIO has no 12-bit DCT and rounds colour differently
        if (jpeg && JpegDctDecoder.sequentialPrecision(frames.get(0)) > 0) {
            for (byte[] fr : frames) {
                out.add(JpegDctDecoder.decodeFrame(fr, d, lossyYbr));
            }
            return new DecodedPixels(d.withColour(lossyYbr ? "RGB" : d.photometric(), 0), out);
        }
        for (byte[] fr : frames) {
            Raster r = readRaster(fr, j2k ? "jpeg2000" : "jpeg", ts);
            if (r.getWidth() != d.columns() || r.getHeight() != d.rows() || r.getNumBands() != d.samplesPerPixel()) {
                throw new DicomException("decoded frame is " + r.getWidth() + "x" + r.getHeight() + "x" + r.getNumBands()
                        + " but the data set says " + d.columns() + "x" + d.rows() + "x" + d.samplesPerPixel());
            }
            out.add(toBytes(r, d, lossyYbr, j2k && d.pixelRepresentation() == 1));
        }
        String pi = lossyYbr || d.photometric().equals("YBR_RCT") || d.photometric().equals("YBR_ICT") ? "RGB" : d.photometric();
        return new DecodedPixels(d.withColour(pi, 0), out);
    }

    /**
     * Replaces encapsulated Pixel Data by native frames and labels the result explicit VR little
     * endian (PS3.5: re-encode when pixels change). Native input is returned unchanged.
     */
    public DicomFile toNative(DicomFile f) throws DicomException {
        if (!(f.dataSet().get(Tag.PixelData) instanceof FragmentsElement)) {
            return f;
        }
        DecodedPixels px = decode(f.dataSet(), f.transferSyntax());
        DataSet ds = f.dataSet();
        int total = 0;
        for (byte[] fr : px.frames()) {
            total += fr.length;
        }
        byte[] all = new byte[total + (total & 1)];
        int o = 0;
        for (byte[] fr : px.frames()) {
            System.arraycopy(fr, 0, all, o, fr.length);
            o += fr.length;
        }
        ds.remove(Tag.ExtendedOffsetTable);
        ds.remove(Tag.ExtendedOffsetTableLengths);
        ds.put(new ValueElement(Tag.PixelData, px.description().bitsAllocated() > 8 ? VR.OW : VR.OB, all));
        ds.putString(Tag.PhotometricInterpretation, VR.CS, px.description().photometric());
        if (px.description().samplesPerPixel() > 1) {
            ds.putInts(Tag.PlanarConfiguration, VR.US, 0);
        }
        return new DicomFile(f.meta(), ds, TransferSyntax.EXPLICIT_LE, 0);
    }

    private static List<byte[]> splitNative(byte[] data, PixelDescription d) throws DicomException {
        long len = d.frameLength();
        if ((long) data.length < len * d.frames()) {
            throw new DicomException("Pixel Data has " + data.length + " bytes but " + d.frames() + " frame(s) of "
                    + len + " bytes are declared");
        }
        List<byte[]> out = new ArrayList<>(d.frames());
        for (int i = 0; i < d.frames(); i++) {
            out.add(java.util.Arrays.copyOfRange(data, (int) (i * len), (int) ((i + 1) * len)));
        }
        return out;
    }

    private static Raster readRaster(byte[] frame, String format, TransferSyntax ts) throws DicomException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            throw new DicomException("no ImageIO reader for " + format + " on the class path (needs TwelveMonkeys "
                    + "imageio-jpeg / jai-imageio-jpeg2000)");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(frame))) {
            reader.setInput(in);
            return reader.readRaster(0, null);
        } catch (IOException | RuntimeException e) {
            throw new DicomException("cannot decode a " + ts.name() + " frame with " + reader.getClass().getSimpleName()
                    + ": " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * @param signExtend the data set says signed but JPEG 2000 codestreams are often written unsigned:
     *                   interpret the low Bits Stored bits as two's complement (what pydicom and GDCM do)
     */
    private static byte[] toBytes(Raster r, PixelDescription d, boolean ybrToRgb, boolean signExtend) {
        int w = r.getWidth();
        int h = r.getHeight();
        int bands = r.getNumBands();
        int[] px = r.getPixels(r.getMinX(), r.getMinY(), w, h, (int[]) null);
        if (ybrToRgb) {
            for (int i = 0; i + 2 < px.length; i += 3) {
                double y = px[i];
                double cb = px[i + 1] - 128;
                double cr = px[i + 2] - 128;
                px[i] = clamp(y + 1.402 * cr);
                px[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
                px[i + 2] = clamp(y + 1.772 * cb);
            }
        }
        if (signExtend && d.bitsStored() < 32) {
            int shift = 32 - d.bitsStored();
            for (int i = 0; i < px.length; i++) {
                px[i] = (px[i] << shift) >> shift;
            }
        }
        int bps = d.bytesPerSample();
        byte[] out = new byte[w * h * bands * bps];
        for (int i = 0; i < px.length; i++) {
            int v = px[i];
            for (int k = 0; k < bps; k++) {
                out[i * bps + k] = (byte) (v >>> (8 * k));
            }
        }
        return out;
    }

    private static byte[] samplesToBytes(int[] px, int bps) {
        byte[] out = new byte[px.length * bps];
        for (int i = 0; i < px.length; i++) {
            for (int k = 0; k < bps; k++) {
                out[i * bps + k] = (byte) (px[i] >>> (8 * k));
            }
        }
        return out;
    }

    private static int clamp(double v) {
        long r = Math.round(v);
        return (int) Math.max(0, Math.min(255, r));
    }
}
