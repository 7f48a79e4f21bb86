package org.medveil.dicom.pixel;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Environment;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.testsupport.External;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 part 5: our sequential DCT decoder ({@link JpegDctDecoder}) against dcmtk's dcmdjpeg on
 * every JPEG Baseline/Extended file of pydicom's corpus, on what dcmcjpeg makes from native corpus
 * images (8- and 12-bit, qualities, subsamplings, Huffman table choices, multi-frame), and on
 * streams {@link JpegTestEncoder} makes (restart intervals, non-interleaved and partly interleaved
 * scans, unusual sampling, 4 components, 16-bit quantization tables). Every sample must be within
 * {@link #TOLERANCE} of dcmdjpeg's; gdcm (and pydicom for 8-bit) are second references, compared
 * before colour conversion since they leave YCbCr as it is.
 */
@Tag("issue-9")
class JpegDctDecoderTest {
    /** Issue 9: "equal to dcmdjpeg's output within ±1 per sample". */
    static final int TOLERANCE = 1;

    private final DicomReader reader = new DicomReader();

    // ---------------------------------------------------------------- pydicom corpus

    @TestFactory
    List<DynamicTest> corpusJpegFilesEqualDcmdjpeg() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (Path p : Environment.corpus()) {
            DicomFile f;
            try {
                f = reader.read(p);
            } catch (java.io.IOException e) {
                continue; // files our reader refuses: CorpusTest
            }
            String ts = f.transferSyntax().uid();
            if (ts.equals(TransferSyntax.JPEG_BASELINE.uid()) || ts.equals(TransferSyntax.JPEG_EXTENDED.uid())) {
                names.add(p.getFileName().toString());
                tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p, true, p.getFileName().toString())));
            }
        }
        // the corpus must still hold what this test is about, or it proves nothing
        assertTrue(names.containsAll(List.of("JPEG-lossy.dcm", "JPGExtended.dcm", "SC_rgb_jpeg_dcmtk.dcm",
                "SC_rgb_dcmtk_+eb+cy+np.dcm", "SC_rgb_dcmtk_+eb+cy+s2.dcm", "SC_rgb_small_odd_jpeg.dcm")), names.toString());
        assertTrue(names.size() >= 14, names.toString());
        return tests;
    }

    // ---------------------------------------------------------------- dcmcjpeg variants

    /** Source (pydicom test file) and dcmcjpeg options. */
    private static final String[][] DCMCJPEG = {
            {"image_dfl.dcm", "+eb"},
            {"image_dfl.dcm", "+eb +q 50"},
            {"image_dfl.dcm", "+eb +q 100"},
            {"image_dfl.dcm", "+eb -ho"},          // Annex K standard Huffman tables
            {"image_dfl.dcm", "+ee +bt"},          // 8-bit data as 12-bit extended
            {"SC_rgb_rle.dcm", "+eb"},             // 4:2:2, YBR_FULL_422
            {"SC_rgb_rle.dcm", "+eb +s4"},         // 4:4:4
            {"SC_rgb_rle.dcm", "+eb +n2"},         // 4:2:2 labelled YBR_FULL
            {"SC_rgb_rle.dcm", "+eb +n1"},         // 4:2:0 (dcmcjpeg calls it 4:1:1)
            {"SC_rgb_rle.dcm", "+eb +np"},
            {"SC_rgb_rle.dcm", "+eb +cr"},         // RGB components, no colour transform
            {"SC_rgb_rle.dcm", "+eb +q 30 -ho"},
            {"SC_rgb_rle.dcm", "+ee +bt"},         // 12-bit colour
            {"SC_rgb_rle.dcm", "+ee +bt +s4"},
            {"SC_rgb_rle_2frame.dcm", "+eb"},      // multi-frame
            {"SC_rgb_small_odd.dcm", "+eb"},       // 3x3
            {"ExplVR_BigEnd.dcm", "+eb +n1"},
            {"CT_small.dcm", "+ee"},               // 12-bit CT
            {"CT_small.dcm", "+ee +q 50"},
            {"CT_small.dcm", "+ee +q 100"},
            {"CT_small.dcm", "+ee +be"},           // extended process, 8-bit
            {"MR_small.dcm", "+ee"},
            {"MR_small.dcm", "+ee +q 75"},
            {"SC_rgb_rle_16bit_2frame.dcm", "+ee"},      // 12-bit colour, 2 frames
            {"SC_rgb_rle_16bit_2frame.dcm", "+ee +s4"},
    };

    @TestFactory
    List<DynamicTest> dcmcjpegOutputEqualsDcmdjpeg() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] c : DCMCJPEG) {
            tests.add(DynamicTest.dynamicTest(c[0] + " " + c[1], () -> {
                Path dir = Files.createTempDirectory("medveil-jpeg");
                try {
                    Path in = Environment.corpusFile("test_files/" + c[0]);
                    if (c[0].contains("_rle")) { // dcmcjpeg needs native pixels
                        Path raw = dir.resolve("native.dcm");
                        run("dcmdrle", in.toString(), raw.toString());
                        in = raw;
                    }
                    Path jpeg = dir.resolve("jpeg.dcm");
                    List<String> cmd = new ArrayList<>(List.of(c[1].split(" ")));
                    cmd.add(in.toString());
                    cmd.add(jpeg.toString());
                    run("dcmcjpeg", cmd.toArray(String[]::new));
                    check(jpeg, true, c[0] + " " + c[1]);
                } finally {
                    deleteTree(dir);
                }
            }));
        }
        return tests;
    }

    // ---------------------------------------------------------------- streams dcmcjpeg cannot make

    private static JpegTestEncoder.Options opts() {
        return new JpegTestEncoder.Options();
    }

    private static final int[] H1 = {1};
    private static final int[] H111 = {1, 1, 1};
    private static final int[] H211 = {2, 1, 1};

    @TestFactory
    List<DynamicTest> encoderStreamsEqualDcmdjpeg() {
        record Case(String image, int w, int h, String pi, JpegTestEncoder.Options o) {}
        List<Case> cases = List.of(
                new Case("ct12", 128, 128, "MONOCHROME2", opts().precision(12).restart(1)),
                new Case("ct12", 75, 53, "MONOCHROME2", opts().precision(12).restart(7).fillBytes()),
                new Case("ct12", 64, 40, "MONOCHROME2", opts().precision(12).quality(95).sixteenBitTables().restart(3)),
                new Case("ct12", 1, 1, "MONOCHROME2", opts().precision(12)),
                new Case("ct8", 64, 64, "MONOCHROME2", opts().quality(100).restart(3)),
                new Case("ct8", 37, 70, "MONOCHROME2", opts().sampling(new int[] {2}, new int[] {2}).restart(2)),
                new Case("rgb12", 100, 100, "YBR_FULL", opts().precision(12).sampling(new int[] {2, 1, 1}, new int[] {2, 1, 1})
                        .scans(new int[] {0}, new int[] {1}, new int[] {2}).restart(5)),
                new Case("rgb12", 99, 61, "YBR_FULL", opts().precision(12).sampling(H211, H111)
                        .scans(new int[] {0}, new int[] {1, 2}).restart(3).tablesBetweenScans()),
                new Case("rgb8", 100, 100, "YBR_FULL", opts().sampling(new int[] {2, 1, 1}, new int[] {2, 1, 1}).restart(2)),
                new Case("rgb8", 99, 61, "YBR_FULL", opts().sampling(new int[] {2, 1, 1}, new int[] {2, 1, 1})
                        .scans(new int[] {2}, new int[] {0}, new int[] {1})),
                new Case("rgb8", 100, 100, "YBR_FULL", opts().sampling(H111, new int[] {2, 1, 1}).restart(4)),
                new Case("rgb8", 90, 50, "YBR_FULL", opts().sampling(new int[] {4, 1, 1}, H111).quality(90)),
                new Case("rgb8", 83, 77, "YBR_FULL", opts().sampling(new int[] {2, 1, 2}, new int[] {2, 2, 1}).restart(1)
                        .fillBytes()),
                new Case("rgb8", 4, 4, "YBR_FULL", opts().sampling(new int[] {2, 1, 1}, new int[] {2, 1, 1})),
                new Case("rgb8", 3, 9, "YBR_FULL", opts().sampling(H211, H111)),
                new Case("rgb8", 100, 100, "RGB", opts().sampling(H111, H111).restart(1).fillBytes()),
                new Case("rgb8", 60, 40, "RGB", opts().sampling(new int[] {1, 2, 1}, new int[] {1, 1, 2})
                        .scans(new int[] {1}, new int[] {0, 2})),
                new Case("cmyk8", 70, 45, "CMYK", opts().sampling(new int[] {2, 1, 1, 2}, new int[] {2, 1, 1, 2})
                        .scans(new int[] {0, 1}, new int[] {2, 3}).restart(2)));
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            String label = c.image + " " + c.w + "x" + c.h + " " + c.pi + " " + c.o;
            tests.add(DynamicTest.dynamicTest(label, () -> {
                int[][] planes = image(c.image, c.w, c.h);
                byte[] jpeg = JpegTestEncoder.encode(planes, c.w, c.h, c.o);
                Path dir = Files.createTempDirectory("medveil-jpeg");
                try {
                    Path file = dir.resolve("enc.dcm");
                    writeDicom(List.of(jpeg), c.w, c.h, planes.length, c.o.precision, c.pi, file);
                    check(file, false, label);
                } finally {
                    deleteTree(dir);
                }
            }));
        }
        return tests;
    }

    /**
     * Test images from corpus pixels: "ct12"/"ct8" CT_small scaled to 12/8 bits, "rgb8"/"rgb12"
     * SC_rgb_rle converted to YCbCr (JFIF equations), "cmyk8" those and a fourth plane; tiled or
     * cropped to the size asked.
     */
    private int[][] image(String kind, int w, int h) throws Exception {
        boolean ct = kind.startsWith("ct");
        int bits = kind.endsWith("12") ? 12 : 8;
        if (kind.equals("cmyk8")) { // four components: the colour planes and a diagonal ramp
            int[][] p = image("rgb8", w, h);
            int[] ramp = new int[w * h];
            for (int i = 0; i < ramp.length; i++) {
                ramp[i] = ((i % w) + (i / w)) * 255 / (w + h);
            }
            return new int[][] {p[0], p[1], p[2], ramp};
        }
        DicomFile f = reader.read(Environment.corpusFile(ct ? "test_files/CT_small.dcm" : "test_files/SC_rgb_rle.dcm"));
        DecodedPixels px = new PixelDecoder().decode(f.dataSet(), f.transferSyntax());
        PixelDescription d = px.description();
        byte[] raw = px.frames().get(0);
        int n = ct ? 1 : 3;
        int[][] planes = new int[n][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int sx = x % d.columns();
                int sy = y % d.rows();
                if (ct) {
                    int i = 2 * (sy * d.columns() + sx);
                    int v = (short) ((raw[i] & 0xFF) | raw[i + 1] << 8); // signed 16-bit CT values
                    planes[0][y * w + x] = Math.max(0, Math.min((1 << bits) - 1, (v + 1100) >> (bits == 12 ? 0 : 4)));
                } else {
                    int i = 3 * (sy * d.columns() + sx);
                    double r = raw[i] & 0xFF;
                    double g = raw[i + 1] & 0xFF;
                    double b = raw[i + 2] & 0xFF;
                    double[] ycc = {0.299 * r + 0.587 * g + 0.114 * b, -0.168736 * r - 0.331264 * g + 0.5 * b + 128,
                            0.5 * r - 0.418688 * g - 0.081312 * b + 128};
                    for (int k = 0; k < 3; k++) {
                        double v = bits == 12 ? ycc[k] * 16 + (x * 7 + y * 3) % 16 : ycc[k];
                        planes[k][y * w + x] = (int) Math.max(0, Math.min((1 << bits) - 1, Math.round(v)));
                    }
                }
            }
        }
        return planes;
    }

    /** Wraps JPEG frames as a DICOM file in the baseline (8-bit) or extended (12-bit) syntax. */
    private void writeDicom(List<byte[]> frames, int w, int h, int spp, int precision, String pi, Path out) throws Exception {
        DicomFile template = reader.read(Environment.corpusFile("test_files/CT_small.dcm"));
        DataSet ds = template.dataSet().copy();
        ds.putInts(org.medveil.dicom.Tag.Rows, VR.US, h);
        ds.putInts(org.medveil.dicom.Tag.Columns, VR.US, w);
        ds.putInts(org.medveil.dicom.Tag.SamplesPerPixel, VR.US, spp);
        ds.putInts(org.medveil.dicom.Tag.BitsAllocated, VR.US, precision == 8 ? 8 : 16);
        ds.putInts(org.medveil.dicom.Tag.BitsStored, VR.US, precision);
        ds.putInts(org.medveil.dicom.Tag.HighBit, VR.US, precision - 1);
        ds.putInts(org.medveil.dicom.Tag.PixelRepresentation, VR.US, 0);
        ds.putString(org.medveil.dicom.Tag.PhotometricInterpretation, VR.CS, pi);
        if (spp > 1) {
            ds.putInts(org.medveil.dicom.Tag.PlanarConfiguration, VR.US, 0);
        }
        if (frames.size() > 1) {
            ds.putString(org.medveil.dicom.Tag.NumberOfFrames, VR.IS, Integer.toString(frames.size()));
        }
        List<byte[]> items = new ArrayList<>();
        items.add(new byte[0]);
        for (byte[] fr : frames) {
            items.add(fr.length % 2 == 0 ? fr : Arrays.copyOf(fr, fr.length + 1));
        }
        ds.put(new FragmentsElement(org.medveil.dicom.Tag.PixelData, VR.OB, items));
        TransferSyntax ts = precision == 8 ? TransferSyntax.JPEG_BASELINE : TransferSyntax.JPEG_EXTENDED;
        new DicomWriter().writeFile(new DicomFile(template.meta(), ds, ts, 0), out, ts);
    }

    // ---------------------------------------------------------------- the comparison

    /**
     * Decodes every frame of {@code file} and compares all samples with dcmdjpeg's output (after
     * the colour conversion PixelDecoder applies), then with gdcm's and, for 8-bit data when
     * {@code pydicomToo}, pydicom's (gdcm's before colour conversion, pydicom's after the
     * reference script's own YCbCr-to-RGB conversion).
     */
    private void check(Path file, boolean pydicomToo, String label) throws Exception {
        DicomFile f = reader.read(file);
        PixelDescription d = PixelDescription.of(f.dataSet());
        List<byte[]> frames = FrameFragments.frames((FragmentsElement) f.dataSet().get(org.medveil.dicom.Tag.PixelData),
                f.dataSet(), d.frames());
        boolean ybr = d.samplesPerPixel() == 3 && d.photometric().startsWith("YBR_FULL");
        int precision = JpegDctDecoder.sequentialPrecision(frames.get(0));
        assertTrue(precision == 8 || precision == 12, "precision " + precision);
        byte[] ours = decodeAll(frames, d, ybr);
        byte[] raw = ybr ? decodeAll(frames, d, false) : ours;

        Path dir = Files.createTempDirectory("medveil-ref");
        try {
            Path ref = dir.resolve("dcmdjpeg.dcm");
            run("dcmdjpeg", file.toString(), ref.toString());
            DicomFile r = reader.read(ref);
            assertEquals(ybr ? "RGB" : d.photometric(), r.dataSet().getString(org.medveil.dicom.Tag.PhotometricInterpretation),
                    "dcmdjpeg's photometric interpretation is the one PixelDecoder reports");
            int diff = maxDifference(ours, d.bytesPerSample(), r.dataSet().getBytes(org.medveil.dicom.Tag.PixelData),
                    r.dataSet().getInt(org.medveil.dicom.Tag.BitsAllocated, 8) / 8);
            String report = label + ": max |difference| vs dcmdjpeg " + diff;
            assertTrue(diff <= TOLERANCE, report);

            Path gdcmOut = dir.resolve("gdcm.dcm");
            Path gdcm = External.tool("gdcmconv", "libgdcm-tools");
            String[] g = Environment.run(List.of(gdcm.toString(), "--raw", file.toString(), gdcmOut.toString()));
            if (g[0].equals("0")) {
                DicomFile gr = reader.read(gdcmOut);
                String gpi = gr.dataSet().getString(org.medveil.dicom.Tag.PhotometricInterpretation);
                byte[] mine = gpi.startsWith("YBR") ? raw : ours;
                int gd = maxDifference(mine, d.bytesPerSample(), gr.dataSet().getBytes(org.medveil.dicom.Tag.PixelData),
                        gr.dataSet().getInt(org.medveil.dicom.Tag.BitsAllocated, 8) / 8);
                report += ", vs gdcm " + gd;
                assertTrue(gd <= TOLERANCE, report);
            } else {
                report += ", gdcm cannot decode it (" + g[2].strip().lines().reduce((a, b) -> b).orElse("") + ")";
            }
            if (pydicomToo && precision == 8) { // pydicom's Pillow path has no 12-bit JPEG
                Path py = Environment.referencePython();
                Path script = Path.of(JpegDctDecoderTest.class.getResource("/pixel_reference.py").toURI());
                Path pyOut = dir.resolve("pydicom.raw");
                String[] p = Environment.run(List.of(py.toString(), script.toString(), file.toString(), pyOut.toString()));
                assertEquals("0", p[0], "pydicom failed: " + p[2]);
                // the script converts pydicom's YCbCr to RGB (pixel_reference.py), as PixelDecoder does
                int pd = maxDifference(ours, d.bytesPerSample(), Files.readAllBytes(pyOut), 1);
                report += ", vs pydicom " + pd;
                assertTrue(pd <= TOLERANCE, report);
            }
            System.out.println(report);
        } finally {
            deleteTree(dir);
        }
    }

    private static byte[] decodeAll(List<byte[]> frames, PixelDescription d, boolean ybr) throws DicomException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] fr : frames) {
            byte[] s = JpegDctDecoder.decodeFrame(fr, d, ybr);
            assertEquals((long) d.rows() * d.columns() * d.samplesPerPixel() * d.bytesPerSample(), s.length);
            all.writeBytes(s);
        }
        return all.toByteArray();
    }

    /** Largest sample difference; the reference may have 1 padding byte and its own sample width. */
    static int maxDifference(byte[] ours, int bps, byte[] ref, int refBps) {
        int n = ours.length / bps;
        assertTrue(ref.length / refBps == n || ref.length == n * refBps + 1,
                "reference has " + ref.length + " bytes for " + n + " samples");
        int max = 0;
        for (int i = 0; i < n; i++) {
            int a = ours[i * bps] & 0xFF;
            if (bps > 1) {
                a |= (ours[i * bps + 1] & 0xFF) << 8;
            }
            int b = ref[i * refBps] & 0xFF;
            if (refBps > 1) {
                b |= (ref[i * refBps + 1] & 0xFF) << 8;
            }
            max = Math.max(max, Math.abs(a - b));
        }
        return max;
    }

    private static void run(String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Environment.tool(tool).toString());
        cmd.addAll(List.of(args));
        String[] r = Environment.run(cmd);
        assertEquals("0", r[0], tool + " failed: " + r[2]);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---------------------------------------------------------------- refusals

    private static byte[] ct12Stream(JpegTestEncoder.Options o) {
        int w = 48;
        int h = 40;
        int[][] planes = new int[1][w * h];
        for (int i = 0; i < planes[0].length; i++) {
            planes[0][i] = (i * 37 + (i / w) * 11) % 4096;
        }
        return JpegTestEncoder.encode(planes, w, h, o);
    }

    private static DicomException refused(byte[] jpeg, int w, int h) {
        return assertThrows(DicomException.class, () -> JpegDctDecoder.decode(jpeg, w, h, 1, false, 2));
    }

    @Test
    void truncatedDataIsRefusedWithTheOffset() {
        byte[] full = ct12Stream(opts().precision(12));
        assertEquals(48 * 40 * 2, assertDoesNotThrow(full).samples().length);
        for (int cut : new int[] {full.length - 3, full.length / 2, 700}) {
            DicomException e = refused(Arrays.copyOf(full, cut), 48, 40);
            assertTrue(e.getMessage().contains("byte offset"), e.getMessage());
            assertTrue(e.getMessage().contains("ends"), e.getMessage());
        }
    }

    private static JpegDctDecoder.Image assertDoesNotThrow(byte[] jpeg) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> JpegDctDecoder.decode(jpeg, 48, 40, 1, false, 2));
    }

    @Test
    void aMissingOrWrongRestartMarkerIsRefused() {
        byte[] jpeg = ct12Stream(opts().precision(12).restart(2));
        assertDoesNotThrow(jpeg);
        int rst = indexOf(jpeg, (byte) 0xD1); // second restart marker
        byte[] wrong = jpeg.clone();
        wrong[rst] = (byte) 0xD5;
        assertTrue(refused(wrong, 48, 40).getMessage().contains("expected restart marker RST1"));
    }

    private static int indexOf(byte[] b, byte marker) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == (byte) 0xFF && b[i + 1] == marker) {
                return i + 1;
            }
        }
        throw new AssertionError("marker not found");
    }

    @Test
    void aFrameHeaderThatDisagreesWithTheDataSetIsRefusedBeforeDecoding() {
        byte[] jpeg = ct12Stream(opts().precision(12));
        DicomException e = assertThrows(DicomException.class, () -> JpegDctDecoder.decode(jpeg, 4800, 4000, 1, false, 2));
        assertTrue(e.getMessage().contains("says 48x40"), e.getMessage());
        e = assertThrows(DicomException.class, () -> JpegDctDecoder.decode(jpeg, 48, 40, 1, false, 1));
        assertTrue(e.getMessage().contains("do not fit Bits Allocated 8"), e.getMessage());
    }

    @Test
    void aHugeFrameHeaderOnLittleDataIsRefusedBeforeAllocating() {
        byte[] jpeg = ct12Stream(opts().precision(12));
        int sof = indexOf(jpeg, (byte) 0xC1);
        jpeg[sof + 4] = (byte) 0xFF; // height 65535
        jpeg[sof + 6] = (byte) 0xFF; // width 65535
        jpeg[sof + 5] = (byte) 0xFF;
        jpeg[sof + 7] = (byte) 0xFF;
        DicomException e = assertThrows(DicomException.class, () -> JpegDctDecoder.decode(jpeg, 65535, 65535, 1, false, 2));
        assertTrue(e.getMessage().contains("holds only"), e.getMessage());
    }

    @Test
    void progressiveIsRefusedWithAReason() throws Exception {
        Path dir = Files.createTempDirectory("medveil-jpeg");
        try {
            Path out = dir.resolve("p.dcm");
            run("dcmcjpeg", "+ep", Environment.corpusFile("test_files/CT_small.dcm").toString(), out.toString());
            DicomFile f = reader.read(out);
            byte[] frame = ((FragmentsElement) f.dataSet().get(org.medveil.dicom.Tag.PixelData)).fragment(0);
            assertEquals(-1, JpegDctDecoder.sequentialPrecision(frame), "not ours to pick for 12-bit");
            DicomException e = assertThrows(DicomException.class, () -> JpegDctDecoder.decode(frame, 128, 128, 1, false, 2));
            assertTrue(e.getMessage().contains("progressive"), e.getMessage());
        } finally {
            deleteTree(dir);
        }
    }

    @Test
    void precisionIsReadFromTheFrameHeader() {
        assertEquals(12, JpegDctDecoder.sequentialPrecision(ct12Stream(opts().precision(12))));
        assertEquals(-1, JpegDctDecoder.sequentialPrecision(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}));
        assertEquals(-1, JpegDctDecoder.sequentialPrecision(new byte[0]));
    }
}
