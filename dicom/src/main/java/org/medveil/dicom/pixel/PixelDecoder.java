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
 * Decodes Pixel Data into frames: native data is split, RLE, JPEG-LS and lossless JPEG are
 * decoded by our own decoders, as is sequential JPEG baseline/extended (8/12-bit DCT, {@link
 * JpegDctDecoder}); progressive JPEG goes through the TwelveMonkeys ImageIO reader,
 * JPEG 2000 by jai-imageio after {@link Jpeg2000Codestream} has checked and repaired the
 * codestream. Lossy YBR JPEG is converted to RGB (as dcmdjpeg does).
 *
 * <p>The rule (issue 9): a frame is returned only if it is exactly the encoded pixels (lossless
 * syntaxes) or the codec's own lossy reconstruction; otherwise decoding fails with a reason. Before
 * decoding, each codestream's own header (size, components, precision, sign, colour transform)
 * is checked against the data set's Image Pixel module; after decoding, each frame's size must be
 * what the data set's layout needs. Unknown syntaxes are refused; such files still pass through
 * the codec untouched.
 */
public final class PixelDecoder {

    /** A decoded frame in native layout and the Photometric Interpretation that now describes it. */
    private record Frame(byte[] bytes, String photometric) {}

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
        if (frames.size() != d.frames()) {
            throw new DicomException("found " + frames.size() + " frames but Number of Frames is " + d.frames());
        }
        List<byte[]> out = new ArrayList<>(frames.size());
        String photometric = null;
        for (int i = 0; i < frames.size(); i++) {
            Frame fr = decodeFrame(frames.get(i), d, ts);
            if (photometric != null && !photometric.equals(fr.photometric())) {
                throw new DicomException("frames " + i + " and 0 decode to different colour spaces ("
                        + fr.photometric() + ", " + photometric + ")");
            }
            photometric = fr.photometric();
            PixelDescription outDesc = d.withColour(photometric, 0);
            if (fr.bytes().length != outDesc.frameLength()) {
                throw new DicomException("frame " + i + " decodes to " + fr.bytes().length + " bytes but the data set's "
                        + d.rows() + "x" + d.columns() + "x" + d.samplesPerPixel() + " samples of " + d.bitsAllocated()
                        + " bits need " + outDesc.frameLength());
            }
            out.add(fr.bytes());
        }
        return new DecodedPixels(d.withColour(photometric, 0), out);
    }

    /**
     * Replaces encapsulated Pixel Data by native frames and labels the result explicit VR little
     * endian (PS3.5: re-encode when pixels change). Native input is returned unchanged. Pixels that
     * {@link #decode} refuses are never written: the exception propagates.
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

    private static Frame decodeFrame(byte[] fr, PixelDescription d, TransferSyntax ts) throws DicomException {
        String uid = ts.uid();
        if (uid.equals(TransferSyntax.RLE_LOSSLESS.uid())) {
            return new Frame(RleDecoder.decodeFrame(fr, d), d.photometric());
        }
        if (uid.equals(TransferSyntax.JPEG_LS_LOSSLESS.uid()) || uid.equals(TransferSyntax.JPEG_LS_NEAR_LOSSLESS.uid())) {
            JpegLsDecoder.Image img = JpegLsDecoder.decode(fr, d.columns(), d.rows(), d.samplesPerPixel());
            checkPrecision("JPEG-LS", img.bits(), d);
            return new Frame(samplesToBytes(img.samples(), d.bytesPerSample()), d.photometric());
        }
        boolean lossless = uid.equals(TransferSyntax.JPEG_LOSSLESS.uid()) || uid.equals(TransferSyntax.JPEG_LOSSLESS_SV1.uid());
        boolean dct = uid.equals(TransferSyntax.JPEG_BASELINE.uid()) || uid.equals(TransferSyntax.JPEG_EXTENDED.uid());
        if (lossless || dct) {
            return decodeJpeg(fr, d, ts, lossless);
        }
        if (uid.equals(TransferSyntax.JPEG_2000_LOSSLESS.uid()) || uid.equals(TransferSyntax.JPEG_2000.uid())) {
            return decodeJpeg2000(fr, d, ts);
        }
        throw new DicomException("pixel data in " + ts.name() + " cannot be decoded here (no Java decoder on Maven "
                + "Central for it); the file is kept and passed through unchanged, or decode it with dcmtk first");
    }

    private static Frame decodeJpeg(byte[] fr, PixelDescription d, TransferSyntax ts, boolean losslessSyntax)
            throws DicomException {
        JpegFrameHeader h = JpegFrameHeader.of(fr);
        if (h == null) {
            throw new DicomException("a " + ts.name() + " frame has no JPEG frame header (SOI ... SOFn); the frame is "
                    + "corrupt or the fragments were grouped wrongly");
        }
        if (h.width() != d.columns() || h.height() != d.rows() || h.components() != d.samplesPerPixel()) {
            throw new DicomException("JPEG frame is " + h.width() + "x" + h.height() + "x" + h.components()
                    + " but the data set says " + d.columns() + "x" + d.rows() + "x" + d.samplesPerPixel());
        }
        checkPrecision("JPEG", h.precision(), d);
        if (h.lossless()) {
            JpegLosslessDecoder.Image img = JpegLosslessDecoder.decode(fr, d.columns(), d.rows(), d.samplesPerPixel());
            return new Frame(samplesToBytes(img.samples(), d.bytesPerSample()), d.photometric());
        }
        if (losslessSyntax) {
            throw new DicomException(String.format("the transfer syntax is JPEG Lossless but the frame is coded with "
                    + "SOF%d (marker 0xFF%02X), a lossy process; its pixels cannot be the original ones", h.sofMarker() - 0xC0,
                    h.sofMarker()));
        }
        if (!h.huffmanDct()) {
            throw new DicomException(String.format("JPEG coding process SOF%d (arithmetic or hierarchical) is not "
                    + "supported", h.sofMarker() - 0xC0));
        }
        return decodeJpegDct(fr, d, ts);
    }

    /** Huffman DCT JPEG through TwelveMonkeys; any decoder warning (damaged data) is a refusal. */
    private static Frame decodeJpegDct(byte[] fr, PixelDescription d, TransferSyntax ts) throws DicomException {
        boolean ybr = d.samplesPerPixel() == 3 && d.photometric().startsWith("YBR_FULL");
        // sequential DCT (8/12-bit): ours, equal to dcmdjpeg; ImageIO has no 12-bit DCT and rounds colour differently
        if (JpegDctDecoder.sequentialPrecision(fr) > 0) {
            return new Frame(JpegDctDecoder.decodeFrame(fr, d, ybr), ybr ? "RGB" : d.photometric());
        }
        Raster r = readRaster(fr, "jpeg", ts);
        checkRaster(r, d);
        return new Frame(toBytes(r, d, ybr, 0), ybr ? "RGB" : d.photometric());
    }

    private static Frame decodeJpeg2000(byte[] fr, PixelDescription d, TransferSyntax ts) throws DicomException {
        Jpeg2000Codestream.Info j = Jpeg2000Codestream.parse(fr);
        if (j.width() != d.columns() || j.height() != d.rows() || j.components() != d.samplesPerPixel()) {
            throw new DicomException("JPEG 2000 codestream is " + j.width() + "x" + j.height() + "x" + j.components()
                    + " but the data set says " + d.columns() + "x" + d.rows() + "x" + d.samplesPerPixel());
        }
        if (j.precision() > Jpeg2000Codestream.MAX_PRECISION) {
            throw new DicomException("JPEG 2000 samples of " + j.precision() + " bits are not decoded: jai-imageio "
                    + "(jj2000) computes in 32-bit integers and returns zeros for such samples, and no other Java "
                    + "decoder is on Maven Central; decode the file with a native tool first");
        }
        checkPrecision("JPEG 2000", j.precision(), d);
        if (j.signed() && d.pixelRepresentation() == 0) {
            throw new DicomException("JPEG 2000 samples are signed but Pixel Representation is 0 (unsigned)");
        }
        if (ts.uid().equals(TransferSyntax.JPEG_2000_LOSSLESS.uid()) && !j.reversible()) {
            throw new DicomException("the transfer syntax is JPEG 2000 Lossless but the codestream uses the irreversible "
                    + "9-7 wavelet; its pixels cannot be reproduced exactly");
        }
        String pi = d.photometric();
        if (j.colourTransform() && d.samplesPerPixel() == 3) {
            pi = "RGB"; // the decoder undoes RCT/ICT
        } else if (pi.equals("YBR_RCT") || pi.equals("YBR_ICT")) {
            throw new DicomException("Photometric Interpretation is " + pi + " but the JPEG 2000 codestream has no "
                    + "colour transform");
        }
        Raster r = readRaster(j.codestream(), "jpeg2000", ts);
        checkRaster(r, d);
        // Pixel Representation 1 with an unsigned codestream: the low Bits Stored bits are two's
        // complement (what pydicom and GDCM do)
        int signBits = d.pixelRepresentation() == 1 && !j.signed() ? d.bitsStored() : 0;
        return new Frame(toBytes(r, d, false, signBits), pi);
    }

    private static void checkPrecision(String codec, int precision, PixelDescription d) throws DicomException {
        if (precision > d.bitsAllocated()) {
            throw new DicomException(codec + " samples of " + precision + " bits do not fit the data set's Bits "
                    + "Allocated " + d.bitsAllocated());
        }
    }

    private static void checkRaster(Raster r, PixelDescription d) throws DicomException {
        if (r.getWidth() != d.columns() || r.getHeight() != d.rows() || r.getNumBands() != d.samplesPerPixel()) {
            throw new DicomException("decoded frame is " + r.getWidth() + "x" + r.getHeight() + "x" + r.getNumBands()
                    + " but the data set says " + d.columns() + "x" + d.rows() + "x" + d.samplesPerPixel());
        }
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
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(frame))) {
            reader.setInput(in);
            Raster r = reader.readRaster(0, null);
            if (!warnings.isEmpty()) {
                // e.g. "Corrupt JPEG data: premature end of data segment": the reader filled in what was missing
                throw new DicomException("a " + ts.name() + " frame is damaged (" + warnings.get(0) + "); "
                        + reader.getClass().getSimpleName() + " would return guessed pixels");
            }
            return r;
        } catch (IOException | RuntimeException e) {
            throw new DicomException("cannot decode a " + ts.name() + " frame with " + reader.getClass().getSimpleName()
                    + ": " + e.getMessage(), e);
        } catch (ThreadDeath e) {
            // jj2000 reports a corrupt codestream by throwing ThreadDeath at the caller
            throw new DicomException("cannot decode a " + ts.name() + " frame: " + reader.getClass().getSimpleName()
                    + " found the codestream corrupt", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * @param signBits if non-zero, the samples are two's complement in their low {@code signBits}
     *                 bits and are sign-extended
     */
    private static byte[] toBytes(Raster r, PixelDescription d, boolean ybrToRgb, int signBits) {
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
        if (signBits > 0 && signBits < 32) {
            int shift = 32 - signBits;
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
