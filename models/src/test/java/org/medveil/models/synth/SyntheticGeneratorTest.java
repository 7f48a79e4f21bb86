package org.medveil.models.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Tag;
import org.medveil.dicom.io.DicomReader;
import org.medveil.models.ExternalTools;
import org.medveil.models.data.Frame;
import org.medveil.models.data.LabeledFolders;
import org.medveil.models.data.NativePixels;
import org.medveil.models.data.Tags;

class SyntheticGeneratorTest {

    private static List<Path> dicoms(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        }
    }

    @Test
    @DisplayName("Written files are valid for dcmdump, labelled in labels.csv and carry GB18030 Chinese names")
    void filesAreValidDicom(@TempDir Path out) throws Exception {
        Path dcmdump = ExternalTools.dcmdump();
        List<SiteSummary> sites = new SyntheticGenerator(7).generate(3, 8, out);
        assertEquals(3, sites.size());
        boolean sawChinese = false;
        for (SiteSummary s : sites) {
            List<Path> files = dicoms(s.folder());
            assertEquals(8, files.size());
            Map<String, Integer> labels = LabeledFolders.readLabels(s.folder());
            assertEquals(8, labels.size());
            for (Path f : files) {
                ExternalTools.Result r = ExternalTools.run(List.of(dcmdump.toString(), "-q", "+U8", f.toString()));
                assertEquals(0, r.exitCode(), "dcmdump on " + f.getFileName() + ": " + r.stderr());
                assertFalse(r.stderr().contains("E:") || r.stdout().contains("E:"), r.stderr());
                assertTrue(r.stdout().contains("(7fe0,0010) OW"), "pixel data present");
                DataSet ds = new DicomReader().read(f).dataSet();
                assertTrue(labels.containsKey(ds.getString(Tag.SOPInstanceUID)));
                if ("GB18030".equals(ds.getString(Tag.SpecificCharacterSet))) {
                    String name = ds.getString(Tag.PatientName);
                    if (name.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)) {
                        sawChinese = true;
                        // dcmdump converts GB18030 to UTF-8 with +U8: the ideographic group must come out intact.
                        String han = name.substring(name.indexOf('=') + 1, name.lastIndexOf('='));
                        assertTrue(r.stdout().contains(han), "dcmdump shows " + han);
                    }
                }
            }
        }
        assertTrue(sawChinese, "at least one GB18030 Chinese patient name");
    }

    @Test
    @DisplayName("Same seed gives byte-identical files; another seed gives different ones")
    void deterministic(@TempDir Path a, @TempDir Path b, @TempDir Path c) throws Exception {
        new SyntheticGenerator(11).generate(2, 4, a);
        new SyntheticGenerator(11).generate(2, 4, b);
        new SyntheticGenerator(12).generate(2, 4, c);
        for (String site : List.of("site-1", "site-2")) {
            for (Path f : dicoms(a.resolve(site))) {
                Path rel = a.relativize(f);
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(rel)), rel.toString());
                assertFalse(java.util.Arrays.equals(Files.readAllBytes(f), Files.readAllBytes(c.resolve(rel))));
            }
            assertEquals(Files.readString(a.resolve(site).resolve("labels.csv"), StandardCharsets.UTF_8),
                    Files.readString(b.resolve(site).resolve("labels.csv"), StandardCharsets.UTF_8));
        }
    }

    @Test
    @DisplayName("Sites differ in resolution, storage, calibration and class balance; air reads back as about -1000 HU plus drift")
    void sitesDiffer() {
        SyntheticGenerator gen = new SyntheticGenerator(3);
        int[] positives = new int[3];
        int patients = 200;
        for (int s = 0; s < 3; s++) {
            SiteProfile p = SiteProfile.standard(s);
            for (int i = 0; i < patients; i++) {
                SyntheticImage im = gen.image(p, s, i);
                positives[s] += im.label();
                if (i == 0) {
                    assertEquals(p.matrix(), im.dataSet().getInt(Tag.Rows, -1));
                    Frame f = NativePixels.firstFrame(im.dataSet(), "site " + s);
                    // Corner pixel (0,0) lies outside the body: air, shifted by the site's calibration drift.
                    double lowest = p.rescaleIntercept() + p.rescaleSlope() * (p.signedPixels() ? -32768 : 0);
                    double expectedAir = Math.max(lowest, p.calibrationGain() * -1000 + p.calibrationOffset());
                    assertEquals(expectedAir, f.values()[p.matrix() * (p.matrix() - 1)], 5 * p.noiseHu() + 1);
                }
            }
            // Class balance within 4 binomial standard deviations of the profile's share.
            double sd = Math.sqrt(patients * p.positiveFraction() * (1 - p.positiveFraction()));
            assertEquals(p.positiveFraction() * patients, positives[s], 4 * sd, "site " + s + " positives");
        }
        assertNotEquals(SiteProfile.standard(0).matrix(), SiteProfile.standard(1).matrix());
        assertTrue(SiteProfile.standard(0).lesionContrastHu() > 0 && SiteProfile.standard(1).lesionContrastHu() < 0);
    }

    @Test
    @DisplayName("Burned-in images say so in Burned In Annotation and have saturated text pixels in the top-left corner")
    void burnedInText() {
        SyntheticGenerator gen = new SyntheticGenerator(5);
        SiteProfile p = SiteProfile.standard(0);
        int yes = 0;
        for (int i = 0; i < 40; i++) {
            SyntheticImage im = gen.image(p, 0, i);
            String flag = im.dataSet().getString(Tags.BurnedInAnnotation);
            assertEquals(im.burnedIn() ? "YES" : "NO", flag);
            Frame f = NativePixels.firstFrame(im.dataSet(), "image " + i);
            int saturated = 0;
            for (int y = 0; y < 7; y++) {
                for (int x = 0; x < p.matrix(); x++) {
                    saturated += f.values()[y * p.matrix() + x] >= 4095 - 1024 ? 1 : 0;
                }
            }
            if (im.burnedIn()) {
                yes++;
                assertTrue(saturated > 20, "text pixels in corner: " + saturated);
            } else {
                assertEquals(0, saturated);
            }
        }
        assertTrue(yes > 0 && yes < 40, "some but not all images carry text: " + yes);
    }
}
