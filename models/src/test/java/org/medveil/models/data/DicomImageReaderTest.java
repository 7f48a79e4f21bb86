package org.medveil.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.medveil.dicom.io.DicomReader;
import org.medveil.models.ExternalTools;

/** The reader against pydicom's own test files, with pydicom as the independent oracle for values. */
class DicomImageReaderTest {

    /** Modality values (stored × slope + intercept) of frame 0 as pydicom computes them. */
    private static float[] pydicomModalityValues(Path file) throws Exception {
        Path python = ExternalTools.pythonWithPydicom();
        String script = "import sys, pydicom\n"
                + "ds = pydicom.dcmread(sys.argv[1])\n"
                + "a = ds.pixel_array.astype('float64') * float(getattr(ds, 'RescaleSlope', 1))"
                + " + float(getattr(ds, 'RescaleIntercept', 0))\n"
                + "print(' '.join(repr(float(v)) for v in a.ravel()))\n";
        ExternalTools.Result r = ExternalTools.run(List.of(python.toString(), "-c", script, file.toString()));
        assertEquals(0, r.exitCode(), r.stderr());
        String[] parts = r.stdout().strip().split(" ");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (float) Double.parseDouble(parts[i]);
        }
        return out;
    }

    private static Frame frame(Path file) throws Exception {
        return NativePixels.firstFrame(new DicomReader().read(file).dataSet(), file.getFileName().toString());
    }

    @Test
    @DisplayName("CT: signed 16-bit stored values with Rescale Intercept -1024 become the HU pydicom computes")
    void ctRescaleMatchesPydicom() throws Exception {
        Path ct = ExternalTools.pydicomFile("CT_small.dcm");
        Frame f = frame(ct);
        assertEquals("CT", f.modality());
        assertEquals(128, f.rows());
        assertArrayEquals(pydicomModalityValues(ct), f.values());
        // Windowing in HU: the fixed 40/400 window maps -160 HU to 0, 240 HU to 1 and 40 HU to 0.5.
        float[] n = new Normalization(40, 400, 1, 99).apply(new Frame(1, 3, new float[] {-160, 40, 240}, "CT", false));
        assertArrayEquals(new float[] {0f, 0.5f, 1f}, n, 1e-6f);
        float[] img = new Normalization(40, 400, 1, 99).apply(f);
        for (int i = 0; i < img.length; i++) {
            double expected = Math.min(1, Math.max(0, (f.values()[i] + 160) / 400.0));
            assertEquals(expected, img[i], 1e-6, "pixel " + i);
        }
    }

    @Test
    @DisplayName("MR: little- and big-endian files give pydicom's values; percentile scaling spans [0, 1]")
    void mrMatchesPydicomAndScalesByPercentile() throws Exception {
        Path le = ExternalTools.pydicomFile("MR_small.dcm");
        Path be = ExternalTools.pydicomFile("MR_small_bigendian.dcm");
        Frame f = frame(le);
        assertEquals("MR", f.modality());
        assertArrayEquals(pydicomModalityValues(le), f.values());
        assertArrayEquals(f.values(), frame(be).values());

        float[] img = Normalization.DEFAULT.apply(f);
        int zeros = 0;
        int ones = 0;
        for (float v : img) {
            assertTrue(v >= 0 && v <= 1);
            zeros += v == 0 ? 1 : 0;
            ones += v == 1 ? 1 : 0;
        }
        // 1st/99th percentiles: about 1 % of the 4096 pixels clip at each end (ties can add more).
        assertTrue(zeros >= 40, "pixels at 0: " + zeros);
        assertTrue(ones >= 40 && ones < 400, "pixels at 1: " + ones);
    }

    @Test
    @DisplayName("Reader resizes to the model input size and keeps the SOP Instance UID")
    void readsAndResizes() throws Exception {
        Path ct = ExternalTools.pydicomFile("CT_small.dcm");
        DicomImageReader.Decoded d = new DicomImageReader(Normalization.DEFAULT, 32).read(ct);
        assertEquals(32 * 32, d.pixels().length);
        assertEquals(new DicomReader().read(ct).dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID),
                d.sopInstanceUid());
        // A 2:1 bilinear downsample at aligned centers is the mean of each 2×2 block.
        float[] full = Normalization.DEFAULT.apply(frame(ct));
        float block = (full[0] + full[1] + full[128] + full[129]) / 4;
        assertEquals(block, d.pixels()[0], 1e-5);
    }

    @Test
    @DisplayName("Losslessly compressed files (RLE, JPEG-LS) give the same values as the native file")
    void compressedIsDecoded() throws Exception {
        float[] nativeValues = frame(ExternalTools.pydicomFile("MR_small.dcm")).values();
        DicomImageReader reader = new DicomImageReader(Normalization.DEFAULT, 64);
        float[] expected = reader.read(ExternalTools.pydicomFile("MR_small.dcm")).pixels();
        for (String name : new String[] {"MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm"}) {
            assertArrayEquals(expected, reader.read(ExternalTools.pydicomFile(name)).pixels(), name);
        }
        assertEquals(64 * 64, nativeValues.length);
    }

    @Test
    @DisplayName("Compressed pixel data the decoder cannot read is refused naming the file and the reason")
    void undecodableIsRefused() throws Exception {
        // 12-bit JPEG now decodes (issue 9), so damage it: keep only the first half of its JPEG stream
        org.medveil.dicom.io.DicomFile f = new DicomReader().read(ExternalTools.pydicomFile("JPEG-lossy.dcm"));
        org.medveil.dicom.FragmentsElement px = (org.medveil.dicom.FragmentsElement)
                f.dataSet().get(org.medveil.dicom.Tag.PixelData);
        byte[] half = java.util.Arrays.copyOf(px.fragment(0), px.fragment(0).length / 2 & ~1);
        f.dataSet().put(new org.medveil.dicom.FragmentsElement(px.tag(), px.vr(), List.of(px.offsetTable(), half)));
        Path dir = java.nio.file.Files.createTempDirectory("medveil-undecodable");
        Path damaged = dir.resolve("JPEG-lossy-truncated.dcm");
        try {
            new org.medveil.dicom.io.DicomWriter().writeFile(f, damaged, f.transferSyntax());
            DatasetException e = assertThrows(DatasetException.class,
                    () -> new DicomImageReader(Normalization.DEFAULT, 32).read(damaged));
            assertTrue(e.getMessage().contains("JPEG-lossy-truncated.dcm") && e.getMessage().contains("cannot be decoded"),
                    e.getMessage());
        } finally {
            java.nio.file.Files.deleteIfExists(damaged);
            java.nio.file.Files.deleteIfExists(dir);
        }
    }
}
