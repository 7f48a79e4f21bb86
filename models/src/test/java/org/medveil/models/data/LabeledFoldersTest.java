package org.medveil.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.models.synth.SyntheticGenerator;

class LabeledFoldersTest {

    @Test
    @DisplayName("Folders load with labels from labels.csv; images without a label line are counted and left out")
    void loadsAndJoinsLabels(@TempDir Path out) throws Exception {
        new SyntheticGenerator(21).generate(2, 10, out);
        Path site1 = out.resolve("site-1");
        Map<String, Integer> labels = LabeledFolders.readLabels(site1);
        List<String> lines = Files.readAllLines(site1.resolve("labels.csv"), StandardCharsets.UTF_8);
        // Drop one label line: that image must be reported as unlabeled, not guessed.
        Files.write(site1.resolve("labels.csv"), lines.subList(0, lines.size() - 1), StandardCharsets.UTF_8);

        LabeledFolders.Loaded loaded = new LabeledFolders(new DicomImageReader(Normalization.DEFAULT, 24))
                .load(List.of(site1, out.resolve("site-2")));
        assertEquals(19, loaded.images().size());
        assertEquals(1, loaded.unlabeled());
        for (LabeledImage im : loaded.images()) {
            assertEquals(24 * 24, im.pixels().length);
            if (im.source().equals("site-1")) {
                assertEquals(labels.get(im.sopInstanceUid()), im.label());
            }
        }
    }

    @Test
    @DisplayName("Malformed label sidecars fail naming the file and line")
    void badLabels(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("labels.csv"), "sop_instance_uid,label\n1.2.3,1\n1.2.4,yes\n");
        DatasetException e = assertThrows(DatasetException.class, () -> LabeledFolders.readLabels(dir));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("non-negative integer"), e.getMessage());
        Files.writeString(dir.resolve("labels.csv"), "1.2.3;1\n");
        e = assertThrows(DatasetException.class, () -> LabeledFolders.readLabels(dir));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("SOPInstanceUID,label"), e.getMessage());
    }

    @Test
    @DisplayName("Hold-out split and epoch order depend only on the seed")
    void splitAndShuffleAreSeeded() {
        List<LabeledImage> images = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            images.add(new LabeledImage("2.25." + i, "s", 2, new float[] {i, 0, 0, 0}, i % 2));
        }
        Split a = Split.holdOut(images, 0.25, 7);
        List<LabeledImage> backwards = new java.util.ArrayList<>(images);
        java.util.Collections.reverse(backwards);
        Split reversed = Split.holdOut(backwards, 0.25, 7);
        assertEquals(a.test().stream().map(LabeledImage::sopInstanceUid).sorted().toList(),
                reversed.test().stream().map(LabeledImage::sopInstanceUid).sorted().toList());
        assertTrue(a.test().size() > 30 && a.test().size() < 70, "about a quarter: " + a.test().size());
        assertNotEquals(a.test(), Split.holdOut(images, 0.25, 8).test());

        var e1 = Batches.epoch(images, 16, 2, 3, 0, false).get(0).getFeatures();
        var e2 = Batches.epoch(images, 16, 2, 3, 0, false).get(0).getFeatures();
        var other = Batches.epoch(images, 16, 2, 3, 1, false).get(0).getFeatures();
        assertEquals(e1, e2);
        assertNotEquals(e1, other);
    }
}
