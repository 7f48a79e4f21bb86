package org.medveil.dicom.deid;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.BulkDataElement;
import org.medveil.dicom.Environment;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.occlusion.OcclusionRules;
import org.medveil.dicom.occlusion.PixelBlanker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Issue 9 part 6: de-identifying a file read with its pixel data left in place
 * ({@link DicomReader.Options#PIXEL_DATA_IN_FILE}, the fast path) writes exactly the bytes of the
 * fully loaded path, including when an occlusion rule blanks the pixels.
 */
@Tag("issue-9")
class PixelsInFileDeidTest {
    private static final ProjectKey KEY = new ProjectKey("pixels in file test key.........".getBytes());
    private static final List<String> FILES = List.of("test_files/CT_small.dcm", "test_files/MR_small.dcm",
            "test_files/MR_small_implicit.dcm", "test_files/MR_small_bigendian.dcm", "test_files/rtdose.dcm",
            "test_files/SC_rgb_rle.dcm", "test_files/JPEG2000.dcm", "test_files/rtstruct.dcm", "test_files/test-SR.dcm");

    @TempDir
    Path dir;

    @Test
    @DisplayName("Basic Profile and every option: same output bytes with pixels left in the file")
    void sameOutputAsLoaded() throws Exception {
        for (ProfileOption o : ProfileOption.values()) {
            compare(Deidentifier.of(DeidProfile.withOptions(o.id(), Set.of(o)), KEY), o.id());
        }
        compare(Deidentifier.of(DeidProfile.basic(), KEY), "basic");
    }

    @Test
    @DisplayName("pixels left in the file are loaded to be blanked, with the same result")
    void blankedFromTheFile() throws Exception {
        OcclusionRules rules = OcclusionRules.parse("rule ct\n Modality = CT\n blank 0,0,*,10\nend\n"
                + "rule rle\n Modality = OT\n blank 0,0,20,20\nend\n", "t");
        Deidentifier engine = new Deidentifier(AnnexETable.standard(),
                DeidProfile.withOptions("pixels", Set.of(ProfileOption.CLEAN_PIXEL_DATA)), KEY, rules, new PixelBlanker(), null);
        int blanked = 0;
        for (String name : List.of("test_files/CT_small.dcm", "test_files/SC_rgb_rle.dcm")) {
            Path in = dir.resolve(Path.of(name).getFileName());
            Files.copy(Environment.corpusFile(name), in);
            DicomFile streamed = new DicomReader(DicomReader.Options.PIXEL_DATA_IN_FILE).read(in);
            assertInstanceOf(BulkDataElement.class, streamed.dataSet().get(org.medveil.dicom.Tag.PixelData));
            streamed.dataSet().putString(0x00280301, VR.CS, "YES");
            DeidResult a = engine.deidentify(streamed);
            DicomFile loaded = new DicomReader().read(in);
            loaded.dataSet().putString(0x00280301, VR.CS, "YES");
            DeidResult b = engine.deidentify(loaded);
            assertEquals(b.occlusionRule(), a.occlusionRule(), name);
            blanked += a.occlusionRule() != null ? 1 : 0;
            assertArrayEquals(write(b, "loaded"), write(a, "streamed"), name);
        }
        assertEquals(2, blanked);
    }

    private void compare(Deidentifier engine, String what) throws Exception {
        for (String name : FILES) {
            Path in = Environment.corpusFile(name);
            byte[] loaded = write(engine.deidentify(new DicomReader().read(in)), "loaded");
            byte[] streamed = write(engine.deidentify(new DicomReader(DicomReader.Options.PIXEL_DATA_IN_FILE).read(in)), "streamed");
            assertArrayEquals(loaded, streamed, what + " " + name);
        }
    }

    private byte[] write(DeidResult r, String name) throws Exception {
        Path out = dir.resolve(name + ".dcm");
        new DicomWriter().writeFile(r.file(), out, r.outputSyntax());
        byte[] b = Files.readAllBytes(out);
        Files.delete(out);
        assertFalse(Files.exists(out));
        return b;
    }
}
