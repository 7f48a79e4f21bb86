package org.medveil.dicom.pixel;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Environment;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medveil.dicom.Tag.BitsAllocated;
import static org.medveil.dicom.Tag.NumberOfFrames;
import static org.medveil.dicom.Tag.PixelData;
import static org.medveil.dicom.Tag.Rows;

/**
 * Issue 4 "Done when" #1 and issue 9 part 2, pixel part: every corpus image decodes equal to a
 * reference — dcmtk's dcmdrle/dcmdjpeg/dcmdjpls output, gdcm's ({@code gdcmconv --raw}) and
 * pydicom's for JPEG 2000, or the native twin — or is refused with a reason; and the defects of
 * issue 9 (wrong pixels with success) are each reproduced and checked.
 */
@Tag("issue-4")
@Tag("issue-9")
class PixelDecoderTest {
    /**
     * Largest per-sample difference accepted for lossy JPEG and JPEG 2000: two IDCT or wavelet
     * implementations (and YBR to RGB conversions) may round differently by one.
     */
    static final int LOSSY_TOLERANCE = 1;

    /** Files whose pixels we refuse, and why. */
    static final Map<String, String> REFUSED = Map.of(
            // an item delimiter inside the codestream's SIZ marker: width 3722445056
            "JPEG2000-embedded-sequence-delimiter.dcm", "JPEG 2000 SIZ marker gives an invalid image or tile size");

    private final DicomReader reader = new DicomReader();
    private final PixelDecoder decoder = new PixelDecoder();

    @TempDir
    Path tmp;

    @TestFactory
    List<DynamicTest> everyImageDecodesEqualToItsReference() throws Exception {
        if (!Environment.corpusPresent()) {
            return List.of(DynamicTest.dynamicTest("pydicom corpus is installed", Environment::corpus));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : Environment.corpus()) {
            DicomFile f;
            try {
                f = reader.read(p);
            } catch (java.io.IOException e) {
                continue; // refused files: CorpusTest
            }
            if (!f.dataSet().contains(PixelData) || !f.dataSet().contains(Rows)) {
                continue;
            }
            String name = p.getFileName().toString();
            tests.add(DynamicTest.dynamicTest(name + " (" + f.transferSyntax().name() + ")", () -> check(p, f)));
        }
        return tests;
    }

    private void check(Path p, DicomFile f) throws Exception {
        String name = p.getFileName().toString();
        if (REFUSED.containsKey(name)) {
            DicomException e = assertThrows(DicomException.class, () -> decoder.decode(f.dataSet(), f.transferSyntax()));
            assertTrue(e.getMessage().contains(REFUSED.get(name)), e.getMessage());
            return;
        }
        DecodedPixels px = decoder.decode(f.dataSet(), f.transferSyntax());
        assertEquals(px.description().frames(), px.frames().size());
        for (byte[] fr : px.frames()) {
            assertEquals(px.description().frameLength(), fr.length);
        }
        String ts = f.transferSyntax().uid();
        if (!(f.dataSet().get(PixelData) instanceof FragmentsElement)) {
            return; // native: frames are slices of Pixel Data, checked by length above (and in CorpusVariantsTest)
        }
        boolean lossy = ts.equals(TransferSyntax.JPEG_BASELINE.uid()) || ts.equals(TransferSyntax.JPEG_EXTENDED.uid())
                || ts.equals(TransferSyntax.JPEG_2000.uid());
        int tolerance = lossy ? LOSSY_TOLERANCE : 0; // 12-bit DCT too: the issue asks for ±1 of dcmdjpeg
        byte[] ours = PixelReference.concat(px.frames());
        List<String> compared = new ArrayList<>();
        if (ts.startsWith("1.2.840.10008.1.2.4.9")) {
            // two references for JPEG 2000: gdcm (OpenJPEG) always, pydicom (Pillow/OpenJPEG) where it can
            PixelReference.Decoded g = PixelReference.gdcm(p, tmp);
            assertTrue(g.ok(), name + ": gdcm cannot decode it: " + g.failure());
            compared.add(compare(name, "gdcm", g, ours, px.description(), tolerance));
            PixelReference.Decoded py = PixelReference.pydicom(List.of(p), tmp).get(p);
            if (py != null && py.ok()) {
                compared.add(compare(name, "pydicom", py, ours, px.description(), tolerance));
            } else {
                System.out.println(name + ": pydicom cannot decode it (" + (py == null ? "no answer" : py.failure()) + ")");
            }
            if (name.startsWith("MR_small")) { // and the native twin
                DecodedPixels twin = decoder.decode(reader.read(Environment.corpusFile("test_files/MR_small.dcm")).dataSet(),
                        TransferSyntax.EXPLICIT_LE);
                assertArrayEquals(PixelReference.concat(twin.frames()), ours);
            }
        } else {
            PixelReference.Decoded d = PixelReference.dcmtk(p, f.transferSyntax(), tmp);
            assertTrue(d.ok(), name + ": " + d.failure());
            compared.add(compare(name, "dcmtk", d, ours, px.description(), tolerance));
        }
        System.out.println(name + ": " + (tolerance > 0 ? "within ±" + tolerance + " of " : "equal to ") + compared);
    }

    /** Asserts and returns "ref (max difference N)". */
    private static String compare(String name, String ref, PixelReference.Decoded d, byte[] ours, PixelDescription desc,
                                  int tolerance) {
        assertEquals(d.photometric(), desc.photometric(), name + ": colour space differs from " + ref);
        int diff = PixelReference.maxDifference(d.pixels(), ours, desc);
        assertTrue(diff <= tolerance, name + ": decoded pixels differ from " + ref + " by up to " + diff);
        return ref + " (max difference " + diff + ")";
    }

    // ---- issue 9, part 2: wrong pixels with success, each reproduced ----

    /**
     * The "JPEG lossless inside an explicit VR big endian file": dcmcjpeg +e1 of pydicom's
     * big-endian RGB image. Big endian was not the cause (the little-endian copy gives the same
     * stream): TwelveMonkeys' lossless decoder stopped before the last pixel because the entropy
     * data ends within its look-ahead of the EOI marker, leaving the last pixel's first two samples 0.
     */
    @Test
    void losslessJpegOfTheBigEndianRgbImageDecodesEveryPixel() throws Exception {
        Path src = Environment.corpusFile("test_files/ExplVR_BigEnd.dcm");
        Path jpeg = tool(tmp.resolve("be-jl.dcm"), "dcmcjpeg", "+e1", src.toString());
        DicomFile f = reader.read(jpeg);
        byte[] ours = PixelReference.concat(decoder.decode(f.dataSet(), f.transferSyntax()).frames());
        DicomFile nativeFile = reader.read(src);
        DecodedPixels original = decoder.decode(nativeFile.dataSet(), nativeFile.transferSyntax());
        PixelDescription d = original.description();
        // the source is planar (configuration 1); our output is interleaved like dcmdjpeg's
        byte[] interleaved = PixelReference.interleaved(original.frames().get(0), d);
        assertArrayEquals(interleaved, ours, "lossless JPEG must give back the original pixels");
        PixelReference.Decoded dj = PixelReference.dcmtk(jpeg, f.transferSyntax(), tmp);
        assertArrayEquals(dj.pixels(), ours);
        PixelReference.Decoded g = PixelReference.gdcm(jpeg, tmp);
        assertArrayEquals(g.pixels(), ours);
        int last = ours.length - 3;
        assertNotEquals(0, ours[last] | ours[last + 1], "the last pixel's first samples are the ones that came out 0");
    }

    /** A lossless JPEG frame that lost its last data byte is refused, not completed with guesses. */
    @Test
    void truncatedLosslessJpegIsRefused() throws Exception {
        Path jpeg = tool(tmp.resolve("ct-jl.dcm"), "dcmcjpeg", "+e1", Environment.corpusFile("test_files/CT_small.dcm").toString());
        DicomFile f = reader.read(jpeg);
        FragmentsElement px = (FragmentsElement) f.dataSet().get(PixelData);
        byte[] frame = px.fragment(0);
        int eoi = frame.length - 2;
        while ((frame[eoi] & 0xFF) != 0xFF || (frame[eoi + 1] & 0xFF) != 0xD9) {
            eoi--;
        }
        int end = eoi;
        while ((frame[end - 1] & 0xFF) == 0xFF) { // dcmcjpeg puts a fill byte before EOI
            end--;
        }
        byte[] cut = Arrays.copyOf(frame, end + 1); // drop the last entropy-coded byte, keep EOI
        cut[end - 1] = (byte) 0xFF;
        cut[end] = (byte) 0xD9;
        replaceFragments(f.dataSet(), px, List.of(cut));
        DicomException e = assertThrows(DicomException.class, () -> decoder.decode(f.dataSet(), f.transferSyntax()));
        assertTrue(e.getMessage().contains("bits before its last sample"), e.getMessage());
    }

    /**
     * pydicom's GDCMJ2K_TextGBR.dcm: GDCM wrote six tile-parts per tile but TNsot 5; jj2000 then
     * skipped the finest resolution (11k samples off by up to 108). Now equal to gdcm exactly, also
     * when every TNsot is 0 ("unknown", which jj2000 also mis-decoded).
     */
    @Test
    void jpeg2000WithWrongTilePartCountsDecodesExactly() throws Exception {
        Path p = Environment.corpusFile("test_files/GDCMJ2K_TextGBR.dcm");
        PixelReference.Decoded g = PixelReference.gdcm(p, tmp);
        DicomFile f = reader.read(p);
        DecodedPixels px = decoder.decode(f.dataSet(), f.transferSyntax());
        assertEquals("RGB", px.description().photometric());
        assertEquals(0, PixelReference.maxDifference(g.pixels(), PixelReference.concat(px.frames()), px.description()));

        FragmentsElement frags = (FragmentsElement) f.dataSet().get(PixelData);
        byte[] frame = frags.fragment(0).clone();
        List<Integer> sots = sotPositions(frame);
        assertEquals(16 * 6, sots.size(), "16 tiles of 6 tile-parts");
        for (int at : sots) {
            frame[at + 11] = 0;
        }
        replaceFragments(f.dataSet(), frags, List.of(frame));
        DecodedPixels zeros = decoder.decode(f.dataSet(), f.transferSyntax());
        assertEquals(0, PixelReference.maxDifference(g.pixels(), PixelReference.concat(zeros.frames()), px.description()));
    }

    /**
     * A JPEG 2000 frame missing tile-parts (jj2000 would decode the rest blurred) is refused: with
     * correct tile-part counts a missing last part is found, and a codestream cut short anywhere is.
     * (With GDCM's understated counts a tile's missing last part cannot be told from the SOT chain.)
     */
    @Test
    void truncatedJpeg2000IsRefused() throws Exception {
        DicomFile f = reader.read(Environment.corpusFile("test_files/GDCMJ2K_TextGBR.dcm"));
        FragmentsElement frags = (FragmentsElement) f.dataSet().get(PixelData);
        byte[] frame = codestream(frags.fragment(0)); // without GDCM's JP2 wrapper: a bare codestream
        List<Integer> sots = sotPositions(frame);
        for (int at : sots) {
            frame[at + 11] = 6; // the real count, as a conforming encoder writes it
        }
        replaceFragments(f.dataSet(), frags, List.of(frame));
        DecodedPixels whole = decoder.decode(f.dataSet(), f.transferSyntax());
        assertEquals(400, whole.description().rows());
        byte[] cut = Arrays.copyOf(frame, sots.get(sots.size() - 1) + 2);
        cut[cut.length - 2] = (byte) 0xFF; // EOC right after the second-to-last tile-part
        cut[cut.length - 1] = (byte) 0xD9;
        replaceFragments(f.dataSet(), frags, List.of(cut));
        DicomException e = assertThrows(DicomException.class, () -> decoder.decode(f.dataSet(), f.transferSyntax()));
        assertTrue(e.getMessage().contains("tile 15 has 5 of its 6 tile-parts"), e.getMessage());

        for (byte[] shorter : List.of(Arrays.copyOf(frame, frame.length - 300),
                Arrays.copyOf(frags.fragment(0), frags.fragment(0).length - 300))) { // bare, and JP2-wrapped
            replaceFragments(f.dataSet(), frags, List.of(shorter));
            e = assertThrows(DicomException.class, () -> decoder.decode(f.dataSet(), f.transferSyntax()));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    /**
     * gdcmconv --j2k of a 32-bit RT Dose writes 32-bit components that jj2000 decodes to zeros
     * (and OpenJPEG, gdcm's own decoder, cannot read at all): refused, and never converted.
     */
    @Test
    void thirtyTwoBitJpeg2000IsRefused() throws Exception {
        Path j2k = tool(tmp.resolve("dose-j2k.dcm"), "gdcmconv", "--j2k", Environment.corpusFile("test_files/rtdose_1frame.dcm").toString());
        DicomFile f = reader.read(j2k);
        assertEquals(TransferSyntax.JPEG_2000_LOSSLESS, f.transferSyntax());
        DicomException e = assertThrows(DicomException.class, () -> decoder.decode(f.dataSet(), f.transferSyntax()));
        assertTrue(e.getMessage().contains("JPEG 2000 samples of 32 bits are not decoded"), e.getMessage());
        assertThrows(DicomException.class, () -> decoder.toNative(f));
        assertTrue(f.dataSet().get(PixelData) instanceof FragmentsElement, "the refused file is left as it was");
    }

    /**
     * A 9-7 (lossy) codestream under the JPEG 2000 Lossless syntax cannot give the original pixels:
     * refused. The same codestream under its own syntax (gdcmconv -Y: JPEG 2000) decodes within
     * the lossy tolerance of gdcm's decoding.
     */
    @Test
    void irreversibleCodestreamUnderTheLosslessSyntaxIsRefused() throws Exception {
        Path j2k = tool(tmp.resolve("ct-97.dcm"), "gdcmconv", "--j2k", "--irreversible", "-Y",
                Environment.corpusFile("test_files/CT_small.dcm").toString());
        DicomFile f = reader.read(j2k);
        assertEquals(TransferSyntax.JPEG_2000, f.transferSyntax());
        DicomException e = assertThrows(DicomException.class,
                () -> decoder.decode(f.dataSet(), TransferSyntax.JPEG_2000_LOSSLESS));
        assertTrue(e.getMessage().contains("irreversible 9-7 wavelet"), e.getMessage());
        DecodedPixels px = decoder.decode(f.dataSet(), f.transferSyntax());
        PixelReference.Decoded g = PixelReference.gdcm(j2k, tmp);
        int diff = PixelReference.maxDifference(g.pixels(), PixelReference.concat(px.frames()), px.description());
        assertTrue(diff <= LOSSY_TOLERANCE, "9-7 decoded " + diff + " away from gdcm");
    }

    // ---- issue 9, part 5: Basic Offset Table entries that do not point at fragment starts ----

    /** gdcm's example (4 frames): its offset table counts odd fragment lengths unpadded. */
    @Test
    void gdcmExampleWithOffByOneOffsetTableDecodesLikeGdcm() throws Exception {
        Path p = Environment.gdcmExamples().stream().filter(x -> x.getFileName().toString().equals("00191113.dcm"))
                .findFirst().orElseThrow();
        DicomFile f = reader.read(p);
        FragmentsElement frags = (FragmentsElement) f.dataSet().get(PixelData);
        assertEquals(4, frags.fragmentCount());
        assertEquals(79979L, ByteBuffer.wrap(frags.offsetTable()).order(ByteOrder.LITTLE_ENDIAN).getInt(4),
                "the second entry points one byte past the second fragment's item tag");
        DecodedPixels px = decoder.decode(f.dataSet(), f.transferSyntax());
        assertEquals(4, px.frames().size());
        PixelReference.Decoded g = PixelReference.gdcm(p, tmp);
        assertArrayEquals(g.pixels(), PixelReference.concat(px.frames()));
        PixelReference.Decoded dj = PixelReference.dcmtk(p, f.transferSyntax(), tmp);
        assertArrayEquals(dj.pixels(), PixelReference.concat(px.frames()));
    }

    /**
     * A two-frame lossless file made by dcmcjpeg, its offset table corrupted three ways (entries
     * inside a fragment, decreasing, too few): the table is ignored and each frame found from its
     * SOI/EOI markers, equal to dcmdjpeg's decoding of the intact file.
     */
    @Test
    void multiFrameLosslessWithBadOffsetTableIsDecodedFromTheFragments() throws Exception {
        Path twoFrames = tool(tmp.resolve("rgb2.dcm"), "dcmdrle", Environment.corpusFile("test_files/SC_rgb_rle_2frame.dcm").toString());
        Path jpeg = tool(tmp.resolve("rgb2-jl.dcm"), "dcmcjpeg", "+e1", twoFrames.toString());
        PixelReference.Decoded reference = PixelReference.dcmtk(jpeg, TransferSyntax.JPEG_LOSSLESS_SV1, tmp);
        DicomFile f = reader.read(jpeg);
        FragmentsElement frags = (FragmentsElement) f.dataSet().get(PixelData);
        assertEquals(2, frags.fragmentCount());
        int second = 8 + frags.fragment(0).length;
        for (byte[] bot : List.of(table(0, second + 2), table(0, second - 8), table(second, 0), table(0))) {
            List<byte[]> items = new ArrayList<>(frags.items());
            items.set(0, bot);
            // split each frame over two fragments, so "one fragment per frame" cannot rescue it
            List<byte[]> split = new ArrayList<>();
            split.add(bot);
            for (int i = 1; i < items.size(); i++) {
                byte[] fr = items.get(i);
                split.add(Arrays.copyOfRange(fr, 0, fr.length / 2 & ~1));
                split.add(Arrays.copyOfRange(fr, fr.length / 2 & ~1, fr.length));
            }
            f.dataSet().put(new FragmentsElement(PixelData, VR.OB, split));
            DecodedPixels px = decoder.decode(f.dataSet(), f.transferSyntax());
            assertArrayEquals(reference.pixels(), PixelReference.concat(px.frames()));
        }
    }

    /** Without a usable table and with no frame markers to walk, the grouping is refused. */
    @Test
    void fragmentsThatCannotBeGroupedAreRefused() {
        List<byte[]> items = List.of(table(0, 12), new byte[] {1, 2}, new byte[] {3, 4}, new byte[] {5, 6});
        DataSet ds = new DataSet();
        DicomException e = assertThrows(DicomException.class,
                () -> FrameFragments.frames(new FragmentsElement(PixelData, VR.OB, items), ds, 2));
        assertTrue(e.getMessage().contains("cannot tell which of 3 fragments"), e.getMessage());
    }

    // ---- issue 9, part 2: each decoded frame is checked against the header ----

    @Test
    void frameThatDoesNotMatchTheHeaderIsRefused() throws Exception {
        Path jpeg = tool(tmp.resolve("mr-jl.dcm"), "dcmcjpeg", "+e1", Environment.corpusFile("test_files/MR_small.dcm").toString());
        DicomFile rows = reader.read(jpeg);
        rows.dataSet().putInts(Rows, VR.US, 63);
        DicomException e = assertThrows(DicomException.class, () -> decoder.decode(rows.dataSet(), rows.transferSyntax()));
        assertTrue(e.getMessage().contains("JPEG frame is 64x64x1 but the data set says 64x63x1"), e.getMessage());

        DicomFile bits = reader.read(jpeg);
        bits.dataSet().putInts(BitsAllocated, VR.US, 8);
        e = assertThrows(DicomException.class, () -> decoder.decode(bits.dataSet(), bits.transferSyntax()));
        assertTrue(e.getMessage().contains("JPEG samples of 16 bits do not fit the data set's Bits Allocated 8"), e.getMessage());

        DicomFile frames = reader.read(jpeg);
        frames.dataSet().putString(NumberOfFrames, VR.IS, "2");
        e = assertThrows(DicomException.class, () -> decoder.decode(frames.dataSet(), frames.transferSyntax()));
        assertTrue(e.getMessage().contains("fragments belong to which of 2 frames"), e.getMessage());

        DicomFile j2k = reader.read(Environment.corpusFile("test_files/693_J2KI.dcm"));
        j2k.dataSet().putInts(org.medveil.dicom.Tag.PixelRepresentation, VR.US, 0);
        e = assertThrows(DicomException.class, () -> decoder.decode(j2k.dataSet(), j2k.transferSyntax()));
        assertTrue(e.getMessage().contains("samples are signed but Pixel Representation is 0"), e.getMessage());
    }

    @Test
    void lossyJpegFromALosslessSyntaxIsRefused() throws Exception {
        Path jpeg = tool(tmp.resolve("ct-eb.dcm"), "dcmcjpeg", "+eb", Environment.corpusFile("test_files/CT_small.dcm").toString());
        DicomFile f = reader.read(jpeg);
        DicomException e = assertThrows(DicomException.class, () -> decoder.decode(f.dataSet(), TransferSyntax.JPEG_LOSSLESS_SV1));
        assertTrue(e.getMessage().contains("the transfer syntax is JPEG Lossless but the frame is coded with SOF0"), e.getMessage());
    }

    @Test
    void damagedBaselineJpegIsRefused() throws Exception {
        DicomFile f = reader.read(Environment.corpusFile("test_files/SC_rgb_jpeg_dcmtk.dcm"));
        FragmentsElement frags = (FragmentsElement) f.dataSet().get(PixelData);
        byte[] frame = frags.fragment(0);
        byte[] cut = Arrays.copyOf(frame, frame.length - 200);
        replaceFragments(f.dataSet(), frags, List.of(cut));
        DicomException e = assertThrows(DicomException.class, () -> decoder.decode(f.dataSet(), f.transferSyntax()));
        assertTrue(e.getMessage().contains("frame is damaged"), e.getMessage());
    }

    /**
     * Restart intervals (dcmtk and gdcm cannot write them): a stream with RST markers every two
     * lines, written by the small encoder below, decodes like dcmdjpeg decodes it.
     */
    @Test
    void restartIntervalsDecodeLikeDcmdjpeg() throws Exception {
        DicomFile src = reader.read(Environment.corpusFile("test_files/CT_small.dcm"));
        PixelDescription d = PixelDescription.of(src.dataSet());
        byte[] raw = decoder.decode(src.dataSet(), src.transferSyntax()).frames().get(0);
        int[] samples = new int[d.rows() * d.columns()];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (raw[2 * i] & 0xFF) | (raw[2 * i + 1] & 0xFF) << 8;
        }
        for (int predictor : new int[] {1, 4, 6, 7}) {
            byte[] stream = LosslessJpegWriter.encode(samples, d.columns(), d.rows(), 16, predictor, 2 * d.columns());
            DicomFile f = reader.read(Environment.corpusFile("test_files/CT_small.dcm"));
            f.dataSet().put(new FragmentsElement(PixelData, VR.OB, List.of(new byte[0], even(stream))));
            Path file = tmp.resolve("restart-" + predictor + ".dcm");
            new DicomWriter().writeFile(new DicomFile(f.meta(), f.dataSet(), TransferSyntax.JPEG_LOSSLESS, 0), file,
                    TransferSyntax.JPEG_LOSSLESS);
            DicomFile back = reader.read(file);
            byte[] ours = decoder.decode(back.dataSet(), back.transferSyntax()).frames().get(0);
            assertArrayEquals(raw, ours, "predictor " + predictor);
            assertArrayEquals(PixelReference.dcmtk(file, back.transferSyntax(), tmp).pixels(), ours);
        }
    }

    @Test
    void compressedFileIsRewrittenAsExplicitLittleEndianWhenDecoded() throws Exception {
        DicomFile f = reader.read(Environment.corpusFile("test_files/MR_small_RLE.dcm"));
        DicomFile nativeFile = decoder.toNative(f);
        Path out = tmp.resolve("native.dcm");
        new DicomWriter().writeFile(nativeFile, out, TransferSyntax.EXPLICIT_LE);
        DicomFile back = reader.read(out);
        DicomFile twin = reader.read(Environment.corpusFile("test_files/MR_small.dcm"));
        assertEquals(TransferSyntax.EXPLICIT_LE, back.transferSyntax());
        assertArrayEquals(twin.dataSet().getBytes(PixelData), back.dataSet().getBytes(PixelData));
    }

    @Test
    void rleSegmentCountMustMatchTheImage() {
        byte[] frame = new byte[64];
        frame[0] = 5;
        PixelDescription d = new PixelDescription(2, 2, 1, 8, 8, 0, 0, "MONOCHROME2", 1);
        DicomException e = assertThrows(DicomException.class, () -> RleDecoder.decodeFrame(frame, d));
        assertTrue(e.getMessage().contains("5 segments but the image needs 1"), e.getMessage());
    }

    // ---- helpers ----

    private static Path tool(Path out, String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Environment.tool(tool).toString());
        cmd.addAll(List.of(args));
        cmd.add(out.toString());
        String[] r = Environment.run(cmd);
        assertEquals("0", r[0], tool + " failed: " + r[2]);
        return out;
    }

    private static void replaceFragments(DataSet ds, FragmentsElement old, List<byte[]> fragments) {
        List<byte[]> items = new ArrayList<>();
        items.add(new byte[0]);
        fragments.forEach(fr -> items.add(even(fr)));
        ds.put(new FragmentsElement(old.tag(), old.vr(), items));
    }

    private static byte[] even(byte[] b) {
        return b.length % 2 == 0 ? b : Arrays.copyOf(b, b.length + 1);
    }

    private static byte[] table(int... offsets) {
        ByteBuffer b = ByteBuffer.allocate(4 * offsets.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int o : offsets) {
            b.putInt(o);
        }
        return b.array();
    }

    /** The codestream of a JPEG 2000 frame: the contents of a JP2 file's jp2c box, or the frame itself. */
    private static byte[] codestream(byte[] f) {
        if (f[4] == 'j' && f[5] == 'P') {
            for (int i = 0; i + 4 < f.length; i++) {
                if (f[i] == 'j' && f[i + 1] == 'p' && f[i + 2] == '2' && f[i + 3] == 'c') {
                    return Arrays.copyOfRange(f, i + 4, ByteBuffer.wrap(f, i - 4, 4).getInt() + i - 4);
                }
            }
        }
        return f;
    }

    /** Positions of the SOT markers of a JPEG 2000 frame (JP2 wrapper skipped), following Psot. */
    private static List<Integer> sotPositions(byte[] frame) {
        byte[] f = codestream(frame);
        int shift = frame.length == f.length ? 0 : indexOf(frame, f);
        int p = 2; // SOC
        while (!((f[p] & 0xFF) == 0xFF && (f[p + 1] & 0xFF) == 0x90)) {
            p += 2 + (((f[p + 2] & 0xFF) << 8) | (f[p + 3] & 0xFF));
        }
        List<Integer> out = new ArrayList<>();
        while ((f[p] & 0xFF) == 0xFF && (f[p + 1] & 0xFF) == 0x90) {
            out.add(p + shift);
            p += ByteBuffer.wrap(f, p + 6, 4).getInt();
        }
        return out;
    }

    private static int indexOf(byte[] whole, byte[] part) {
        for (int i = 0; i + part.length <= whole.length; i++) {
            if (Arrays.equals(whole, i, i + 16, part, 0, 16)) {
                return i;
            }
        }
        throw new IllegalArgumentException("codestream not found in frame");
    }
}
