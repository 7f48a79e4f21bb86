package org.medveil.cli.deid;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.CliRun;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.occlusion.OcclusionRule;
import org.medveil.dicom.occlusion.OcclusionRules;
import org.medveil.dicom.occlusion.Rectangle;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped synthetic-training profile takes everything 'medveil synth' writes: no image is
 * refused, and in every output the occlusion rule's rectangle is blank while every other pixel is
 * the input's.
 */
@Tag("REQ-DEID-4")
class SyntheticDeidTest {

    @TempDir
    Path dir;

    private static String succeed(String... args) {
        CliRun r = CliRun.run(args);
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r.out() + r.err());
        return r.out();
    }

    @Test
    void synthOutputIsDeidentifiedAndItsBurnedInNamesBlanked() throws Exception {
        succeed("synth", "--sites", "1", "--patients", "24", "--seed", "7", "--out", dir.resolve("data").toString());
        Path key = dir.resolve("project.key");
        Files.write(key, "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        String summary = succeed("deid", "--profile", Path.of("..", "config", "deid", "synthetic-training.yaml").toString(),
                "--key", key.toString(), "--no-progress", dir.resolve("data/site-1").toString(),
                dir.resolve("out").toString());
        assertTrue(summary.contains("de-identified 24 file(s)"), summary);
        assertFalse(summary.contains("refused by the profile"), summary);
        assertTrue(summary.contains("occlusion rule 'MedVeil synthetic CT (medveil synth)': 24"), summary);
        List<Path> outputs;
        try (Stream<Path> s = Files.walk(dir.resolve("out"))) {
            outputs = s.filter(p -> p.toString().endsWith(".dcm")).toList();
        }
        assertEquals(24, outputs.size());
        List<Path> inputs;
        try (Stream<Path> s = Files.walk(dir.resolve("data/site-1"))) {
            inputs = s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        }
        assertEquals(24, inputs.size());
        OcclusionRules rules = OcclusionRules.load(Path.of("..", "config", "occlusion", "synthetic.rules"));
        List<DataSet> unmatched = new ArrayList<>();
        for (Path p : inputs) {
            unmatched.add(new DicomReader().read(p).dataSet());
        }
        int blankedSamples = 0;
        for (Path p : outputs) {
            DataSet ds = new DicomReader().read(p).dataSet();
            assertEquals("NO", ds.getString(0x00280301), "burned-in text blanked: " + p.getFileName());
            assertEquals("YES", ds.getString(0x00120062));
            // the input it came from: the one whose pixels outside the rule's rectangles are identical
            DataSet source = null;
            boolean[] mask = null;
            for (DataSet in : unmatched) {
                boolean[] m = mask(in, rules);
                if (samplesOutside(in, m).equals(samplesOutside(ds, m))) {
                    assertNull(source, "two inputs match one output outside the rectangle");
                    source = in;
                    mask = m;
                }
            }
            assertNotNull(source, "no input has the same pixels as " + p.getFileName() + " outside the rule's rectangle: "
                    + "pixels outside it changed");
            unmatched.remove(source);
            short[] before = samples(source);
            short[] after = samples(ds);
            short dark = (short) (source.getInt(org.medveil.dicom.Tag.PixelRepresentation, 0) == 1
                    ? -(1 << (source.getInt(org.medveil.dicom.Tag.BitsStored, 16) - 1)) : 0);
            for (int i = 0; i < after.length; i++) {
                if (mask[i]) {
                    assertEquals(dark, after[i], "pixel " + i + " inside the rule's rectangle is not blanked in " + p.getFileName());
                    blankedSamples += before[i] != dark ? 1 : 0;
                }
            }
        }
        assertTrue(unmatched.isEmpty(), "every input has its output");
        assertTrue(blankedSamples > 0, "the rectangles held something to blank, so the check above can fail");
    }

    /** True for each pixel inside a rectangle of the rule that matches {@code ds}. */
    private static boolean[] mask(DataSet ds, OcclusionRules rules) {
        OcclusionRule rule = rules.match(ds).orElseThrow(() -> new AssertionError("the synthetic rule must match synth output"));
        int rows = ds.getInt(org.medveil.dicom.Tag.Rows, 0);
        int cols = ds.getInt(org.medveil.dicom.Tag.Columns, 0);
        boolean[] m = new boolean[rows * cols];
        for (Rectangle r : rule.rectangles()) {
            int right = r.width() == Rectangle.TO_EDGE ? cols : Math.min(cols, r.x() + r.width());
            int bottom = r.height() == Rectangle.TO_EDGE ? rows : Math.min(rows, r.y() + r.height());
            for (int y = r.y(); y < bottom; y++) {
                for (int x = r.x(); x < right; x++) {
                    m[y * cols + x] = true;
                }
            }
        }
        return m;
    }

    /** The 16-bit samples of single-frame, one-sample native pixel data (what synth writes). */
    private static short[] samples(DataSet ds) {
        assertEquals(16, ds.getInt(org.medveil.dicom.Tag.BitsAllocated, 0));
        assertEquals(1, ds.getInt(org.medveil.dicom.Tag.SamplesPerPixel, 0));
        short[] s = new short[ds.getInt(org.medveil.dicom.Tag.Rows, 0) * ds.getInt(org.medveil.dicom.Tag.Columns, 0)];
        ByteBuffer.wrap(ds.getBytes(org.medveil.dicom.Tag.PixelData)).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
        return s;
    }

    private static List<Short> samplesOutside(DataSet ds, boolean[] mask) {
        short[] s = samples(ds);
        List<Short> out = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            if (!mask[i]) {
                out.add(s[i]);
            }
        }
        return out;
    }
}
