package org.medveil.dicom.occlusion;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Environment;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.deid.AnnexETable;
import org.medveil.dicom.deid.DeidProfile;
import org.medveil.dicom.deid.DeidRefusedException;
import org.medveil.dicom.deid.DeidResult;
import org.medveil.dicom.deid.Deidentifier;
import org.medveil.dicom.deid.ProfileOption;
import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.pixel.DecodedPixels;
import org.medveil.dicom.pixel.PixelDecoder;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-DEID-4")
class OcclusionTest {
    private static final ProjectKey KEY = new ProjectKey("occlusion test project key......".getBytes());
    private static final DeidProfile PIXELS = DeidProfile.withOptions("pixels", Set.of(ProfileOption.CLEAN_PIXEL_DATA));

    @TempDir
    Path dir;

    private static Deidentifier engine(DeidProfile p, OcclusionRules rules) {
        return new Deidentifier(AnnexETable.standard(), p, KEY, rules, new PixelBlanker(), null);
    }

    @Test
    @DisplayName("REQ-DEID-4 rules file: conditions on header values, first match wins")
    void firstMatchWins() throws Exception {
        OcclusionRules rules = OcclusionRules.parse("""
                # comment
                rule specific
                  Modality = CT
                  Manufacturer ~ ge medical   # case-insensitive contains
                  Rows = 128
                  blank 0,0,*,10
                end
                rule generic
                  Modality = CT
                  blank 0,0,5,5
                  blank 10,10,5,5
                end
                """, "test");
        DataSet ds = new DicomReader().read(Environment.corpusFile("test_files/CT_small.dcm")).dataSet();
        assertEquals("specific", rules.match(ds).orElseThrow().name());
        ds.putInts(org.medveil.dicom.Tag.Rows, VR.US, 512);
        assertEquals("generic", rules.match(ds).orElseThrow().name());
        assertEquals(2, rules.match(ds).orElseThrow().rectangles().size());
        ds.putString(0x00080060, VR.CS, "MR");
        assertTrue(rules.match(ds).isEmpty());
    }

    @Test
    void rulesFileErrorsNameTheLine() {
        OcclusionException e = assertThrows(OcclusionException.class,
                () -> OcclusionRules.parse("rule a\n  Modality = US\n  blank 0,0,10\nend\n", "site.rules"));
        assertTrue(e.getMessage().startsWith("site.rules line 3"), e.getMessage());
        e = assertThrows(OcclusionException.class, () -> OcclusionRules.parse("rule a\n  Modalty = US\n", "r"));
        assertTrue(e.getMessage().contains("'Modalty' is not a DICOM attribute keyword"), e.getMessage());
        e = assertThrows(OcclusionException.class, () -> OcclusionRules.parse("rule a\n  Modality = US\nend\n", "r"));
        assertTrue(e.getMessage().contains("has no 'blank"), e.getMessage());
        e = assertThrows(OcclusionException.class, () -> OcclusionRules.parse("rule a\n blank 0,0,1,1\n", "r"));
        assertTrue(e.getMessage().contains("has no 'end'"), e.getMessage());
    }

    @Test
    @DisplayName("REQ-DEID-4 shipped rules cover ultrasound and CT dose screens")
    void shippedRules() {
        OcclusionRules shipped = OcclusionRules.shipped();
        assertTrue(shipped.rules().size() >= 10);
        DataSet dose = new DataSet();
        dose.putString(0x00080060, VR.CS, "CT");
        dose.putString(org.medveil.dicom.Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.7");
        dose.putString(0x00080070, VR.LO, "GE MEDICAL SYSTEMS");
        dose.putInts(org.medveil.dicom.Tag.Rows, VR.US, 512);
        dose.putInts(org.medveil.dicom.Tag.Columns, VR.US, 512);
        assertEquals("CT dose screen, GE, 512x512", shipped.match(dose).orElseThrow().name());
        DataSet us = new DataSet();
        us.putString(0x00080060, VR.CS, "US");
        us.putString(0x00080070, VR.LO, "Philips Medical Systems");
        us.putInts(org.medveil.dicom.Tag.Rows, VR.US, 768);
        us.putInts(org.medveil.dicom.Tag.Columns, VR.US, 1024);
        assertTrue(shipped.match(us).orElseThrow().name().startsWith("US Philips"));
    }

    @Test
    @DisplayName("REQ-DEID-4 native pixels: the rectangle is blanked in place, the rest untouched")
    void blanksNativePixels() throws Exception {
        DicomFile f = new DicomReader().read(Environment.corpusFile("test_files/CT_small.dcm"));
        DecodedPixels before = new PixelDecoder().decode(f.dataSet(), f.transferSyntax());
        f.dataSet().putString(0x00280301, VR.CS, "YES");
        OcclusionRules rules = OcclusionRules.parse("rule ct\n Modality = CT\n blank 0,0,*,10\n blank 100,100,50,50\nend\n", "t");
        DeidResult r = engine(PIXELS, rules).deidentify(f);
        assertEquals("ct", r.occlusionRule());
        assertEquals("NO", r.file().dataSet().getString(0x00280301));
        Path out = dir.resolve("ct.dcm");
        new DicomWriter().writeFile(r.file(), out, r.outputSyntax());
        DicomFile back = new DicomReader().read(out);
        byte[] px = new PixelDecoder().decode(back.dataSet(), back.transferSyntax()).frames().get(0);
        byte[] orig = before.frames().get(0);
        int blanked = 0;
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                int o = (y * 128 + x) * 2;
                short v = (short) ((px[o] & 0xFF) | (px[o + 1] << 8));
                boolean inside = y < 10 || (x >= 100 && y >= 100);
                if (inside) {
                    assertEquals(Short.MIN_VALUE, v, "signed MONOCHROME2 blanks to the smallest value at " + x + "," + y);
                    blanked++;
                } else {
                    assertEquals(orig[o], px[o]);
                    assertEquals(orig[o + 1], px[o + 1]);
                }
            }
        }
        assertEquals(128 * 10 + 28 * 28, blanked, "rectangles are clipped to the image");
    }

    @Test
    @DisplayName("REQ-DEID-4 compressed pixels are decoded, blanked and written explicit VR little endian")
    void blanksCompressedPixels() throws Exception {
        for (String name : List.of("SC_rgb_rle.dcm", "SC_rgb_jpeg_dcmtk.dcm")) {
            DicomFile f = new DicomReader().read(Environment.corpusFile("test_files/" + name));
            f.dataSet().putString(0x00280301, VR.CS, "YES");
            DeidResult r = engine(PIXELS, OcclusionRules.parse("rule ot\n Modality = OT\n blank 0,0,20,*\nend\n", "t"))
                    .deidentify(f);
            assertEquals(TransferSyntax.EXPLICIT_LE, r.outputSyntax(), name);
            Path out = dir.resolve("blank-" + name);
            new DicomWriter().writeFile(r.file(), out, r.outputSyntax());
            org.medveil.dicom.deid.CanaryAccess.assertParsesCleanly(out);
            DicomFile back = new DicomReader().read(out);
            DecodedPixels px = new PixelDecoder().decode(back.dataSet(), back.transferSyntax());
            assertEquals("RGB", px.description().photometric(), name);
            byte[] fr = px.frames().get(0);
            int nonZeroOutside = 0;
            for (int y = 0; y < 100; y++) {
                for (int x = 0; x < 100; x++) {
                    for (int s = 0; s < 3; s++) {
                        int v = fr[(y * 100 + x) * 3 + s] & 0xFF;
                        if (x < 20) {
                            assertEquals(0, v, name + " pixel " + x + "," + y);
                        } else if (v != 0) {
                            nonZeroOutside++;
                        }
                    }
                }
            }
            assertTrue(nonZeroOutside > 1000, name + ": the image outside the rectangle is kept");
        }
    }

    @Test
    @DisplayName("REQ-DEID-4 Burned In Annotation = YES without a matching rule is refused unless the profile allows it")
    void burnedInWithoutRuleIsRefused() throws Exception {
        DicomFile f = new DicomReader().read(Environment.corpusFile("test_files/MR_small.dcm"));
        f.dataSet().putString(0x00280301, VR.CS, "YES");
        DeidRefusedException e = assertThrows(DeidRefusedException.class,
                () -> engine(PIXELS, OcclusionRules.shipped()).deidentify(f));
        assertTrue(e.getMessage().contains("no occlusion rule matches Modality=MR, Manufacturer=TOSHIBA_MEC"), e.getMessage());
        e = assertThrows(DeidRefusedException.class, () -> engine(DeidProfile.basic(), OcclusionRules.shipped()).deidentify(f));
        assertTrue(e.getMessage().contains("does not enable clean-pixel-data"), e.getMessage());
        DeidResult ok = engine(PIXELS.allowingUnmatchedBurnedIn(true), OcclusionRules.shipped()).deidentify(f);
        assertEquals("YES", ok.file().dataSet().getString(0x00280301), "allowed, not blanked: the flag stays");
    }

    @Test
    void undecodablePixelsThatMustBeBlankedAreRefused() throws Exception {
        DicomFile jls = new DicomReader().read(Environment.corpusFile("test_files/MR_small_jpeg_ls_lossless.dcm"));
        // the same fragments labelled HTJ2K, which has no Java decoder: they cannot be blanked
        DicomFile f = new DicomFile(jls.meta(), jls.dataSet(), TransferSyntax.of("1.2.840.10008.1.2.4.201"), 0);
        DeidRefusedException e = assertThrows(DeidRefusedException.class, () -> engine(PIXELS,
                OcclusionRules.parse("rule mr\n Modality = MR\n blank 0,0,8,8\nend\n", "t")).deidentify(f));
        assertTrue(e.getMessage().contains("occlusion rule 'mr' matches but pixel data must be blanked but cannot be decoded"),
                e.getMessage());
    }
}
