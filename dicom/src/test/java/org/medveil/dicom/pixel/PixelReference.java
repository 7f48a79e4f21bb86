package org.medveil.dicom.pixel;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.Environment;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Independent reference decoders for pixel tests: dcmtk (dcmdrle, dcmdjpeg, dcmdjpls, dcmconv),
 * gdcm ({@code gdcmconv --raw}) and pydicom ({@code pixel_reference.py}), each writing native
 * pixels that are then compared sample by sample with ours.
 */
public final class PixelReference {
    private PixelReference() {}

    /** What a reference decoder produced: native pixels and the colour space they are in, or why it failed. */
    public record Decoded(byte[] pixels, String photometric, String failure) {
        public boolean ok() { return failure == null; }

        static Decoded failed(String why) { return new Decoded(null, null, why); }
    }

    /** dcmtk's decoder for the file's transfer syntax (dcmconv for native ones), output explicit VR little endian. */
    public static Decoded dcmtk(Path in, TransferSyntax ts, Path dir) throws Exception {
        String uid = ts.uid();
        List<String> cmd;
        if (uid.equals(TransferSyntax.RLE_LOSSLESS.uid())) {
            cmd = List.of(Environment.tool("dcmdrle").toString());
        } else if (uid.startsWith("1.2.840.10008.1.2.4.8")) {
            cmd = List.of(Environment.tool("dcmdjpls").toString());
        } else if (uid.equals(TransferSyntax.JPEG_LOSSLESS.uid()) || uid.equals(TransferSyntax.JPEG_LOSSLESS_SV1.uid())) {
            // lossless: keep YBR as YBR (dcmdjpeg would convert it to RGB), as our decoder does
            cmd = List.of(Environment.tool("dcmdjpeg").toString(), "+cn");
        } else if (uid.startsWith("1.2.840.10008.1.2.4.5")) {
            cmd = List.of(Environment.tool("dcmdjpeg").toString());
        } else if (uid.startsWith("1.2.840.10008.1.2.4.9")) {
            return Decoded.failed("dcmtk has no JPEG 2000 decoder");
        } else {
            cmd = List.of(Environment.tool("dcmconv").toString(), "+te");
        }
        return runTool(cmd, in, dir.resolve(in.getFileName() + ".dcmtk.dcm"));
    }

    /** {@code gdcmconv --raw}: gdcm (OpenJPEG, CharLS, ljpeg) decodes; the output is read as native data. */
    public static Decoded gdcm(Path in, Path dir) throws Exception {
        return runTool(List.of(Environment.tool("gdcmconv").toString(), "--raw"), in,
                dir.resolve(in.getFileName() + ".gdcm.dcm"));
    }

    private static Decoded runTool(List<String> cmd, Path in, Path out) throws Exception {
        List<String> all = new ArrayList<>(cmd);
        all.add(in.toString());
        all.add(out.toString());
        String[] r = Environment.run(all);
        if (!r[0].equals("0") || !Files.isRegularFile(out)) {
            return Decoded.failed(Path.of(cmd.get(0)).getFileName() + " exit " + r[0] + ": " + firstLine(r[2]));
        }
        try {
            DicomFile f = new DicomReader().read(out);
            DataSet ds = f.dataSet();
            if (!(ds.get(Tag.PixelData) instanceof ValueElement v)) {
                return Decoded.failed(Path.of(cmd.get(0)).getFileName() + " wrote no native Pixel Data");
            }
            PixelDescription d = PixelDescription.of(ds);
            long len = d.frameLength() * d.frames();
            byte[] px = v.value().length > len ? Arrays.copyOf(v.value(), (int) len) : v.value();
            return new Decoded(interleaved(px, d), d.photometric(), null);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * Decodes many files with pydicom in one Python process (start-up dominates otherwise).
     * Files pydicom cannot decode (no JPEG Lossless, JPEG-LS or 12-bit JPEG handler in Debian's
     * pydicom) come back as failures with its message.
     */
    public static Map<Path, Decoded> pydicom(List<Path> inputs, Path dir) throws Exception {
        Path py = Environment.referencePython();
        Path script = Path.of(PixelReference.class.getResource("/pixel_reference.py").toURI());
        Path list = dir.resolve("pydicom-list.txt");
        Map<String, Path> outs = new HashMap<>();
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (Path p : inputs) {
            Path out = dir.resolve("pydicom-" + (i++) + ".raw");
            outs.put(p.toString(), out);
            sb.append(p).append('\t').append(out).append('\n');
        }
        Files.writeString(list, sb.toString());
        Process proc = new ProcessBuilder(py.toString(), script.toString(), "--batch", list.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        proc.waitFor();
        Map<Path, Decoded> result = new HashMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.split("\t", 3);
            if (f.length < 3) {
                continue;
            }
            Path out = outs.get(f[1]);
            result.put(Path.of(f[1]), f[0].equals("ok") ? new Decoded(Files.readAllBytes(out), f[2], null)
                    : Decoded.failed("pydicom: " + f[2]));
            Files.deleteIfExists(out);
        }
        return result;
    }

    /** Frames with Planar Configuration 1 (RRR..GGG..BBB.. per frame) made interleaved, as our decoders give them. */
    public static byte[] interleaved(byte[] px, PixelDescription d) {
        if (d.planarConfiguration() != 1 || d.samplesPerPixel() == 1 || d.bitsAllocated() < 8) {
            return px;
        }
        int bps = d.bytesPerSample();
        int spp = d.samplesPerPixel();
        int n = d.rows() * d.columns();
        int frameLen = n * spp * bps;
        byte[] out = new byte[px.length];
        for (int f = 0; f + frameLen <= px.length; f += frameLen) {
            for (int s = 0; s < spp; s++) {
                for (int i = 0; i < n; i++) {
                    System.arraycopy(px, f + (s * n + i) * bps, out, f + (i * spp + s) * bps, bps);
                }
            }
        }
        return out;
    }

    public static byte[] concat(List<byte[]> frames) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        frames.forEach(all::writeBytes);
        return all.toByteArray();
    }

    /**
     * Largest difference between corresponding samples; bits above Bits Stored are not pixel
     * data (PS3.5 §8.1.1) and are ignored, signed samples are compared as signed. 1-bit data must
     * be byte-identical (0 or {@code Integer.MAX_VALUE}); a length difference is MAX_VALUE too.
     */
    public static int maxDifference(byte[] a, byte[] b, PixelDescription d) {
        if (a.length != b.length) {
            return Integer.MAX_VALUE;
        }
        if (d.bitsAllocated() == 1) {
            return Arrays.equals(a, b) ? 0 : Integer.MAX_VALUE;
        }
        int bps = d.bytesPerSample();
        int bits = Math.min(d.bitsStored(), 8 * bps);
        boolean signed = d.pixelRepresentation() == 1;
        long max = 0;
        for (int i = 0; i + bps <= a.length; i += bps) {
            max = Math.max(max, Math.abs(sample(a, i, bps, bits, signed) - sample(b, i, bps, bits, signed)));
        }
        return (int) Math.min(max, Integer.MAX_VALUE);
    }

    private static long sample(byte[] b, int at, int bps, int bits, boolean signed) {
        long v = 0;
        for (int k = 0; k < bps; k++) {
            v |= (long) (b[at + k] & 0xFF) << (8 * k);
        }
        v &= (1L << bits) - 1;
        if (signed && (v >> (bits - 1)) != 0) {
            v -= 1L << bits;
        }
        return v;
    }

    /** YBR_FULL samples to RGB (PS3.3 C.7.6.3.1.2), for references that leave lossy JPEG in YCbCr. */
    public static byte[] ybrFullToRgb(byte[] px, PixelDescription d) {
        int bps = d.bytesPerSample();
        int max = (1 << Math.min(d.bitsStored(), 8 * bps)) - 1;
        int half = (max + 1) / 2;
        byte[] out = px.clone();
        for (int i = 0; i + 3 * bps <= px.length; i += 3 * bps) {
            double y = read(px, i, bps);
            double cb = read(px, i + bps, bps) - half;
            double cr = read(px, i + 2 * bps, bps) - half;
            write(out, i, bps, y + 1.402 * cr, max);
            write(out, i + bps, bps, y - 0.344136 * cb - 0.714136 * cr, max);
            write(out, i + 2 * bps, bps, y + 1.772 * cb, max);
        }
        return out;
    }

    private static int read(byte[] b, int at, int bps) {
        int v = 0;
        for (int k = 0; k < bps; k++) {
            v |= (b[at + k] & 0xFF) << (8 * k);
        }
        return v;
    }

    private static void write(byte[] b, int at, int bps, double v, int max) {
        long r = Math.max(0, Math.min(max, Math.round(v)));
        for (int k = 0; k < bps; k++) {
            b[at + k] = (byte) (r >>> (8 * k));
        }
    }

    /** Native YBR_FULL_422 frames (Y Y Cb Cr per two pixels) as full YBR (pydicom's layout). */
    public static byte[] upsample422(byte[] px) {
        byte[] out = new byte[px.length / 4 * 6];
        for (int i = 0, o = 0; i + 3 < px.length; i += 4, o += 6) {
            out[o] = px[i];
            out[o + 1] = px[i + 2];
            out[o + 2] = px[i + 3];
            out[o + 3] = px[i + 1];
            out[o + 4] = px[i + 2];
            out[o + 5] = px[i + 3];
        }
        return out;
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
