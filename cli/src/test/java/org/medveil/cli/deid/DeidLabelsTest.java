package org.medveil.cli.deid;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.CliRun;
import org.medveil.dicom.Tag;
import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.io.DicomReader;
import org.medveil.models.data.LabeledFolders;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code deid} carries the label sidecar along: rows follow their objects to the new SOP Instance
 * UIDs, rows whose object was not de-identified are dropped and counted, and no original UID
 * reaches the output.
 */
class DeidLabelsTest {

    private static final String PROFILE = Path.of("..", "config", "deid", "synthetic-training.yaml").toString();
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private Path in;
    private Path key;

    /** One synthetic site of {@code patients} images with its labels.csv, and the project key. */
    private Map<String, Integer> synth(int patients) throws IOException {
        CliRun s = CliRun.run("synth", "--sites", "1", "--patients", String.valueOf(patients), "--seed", "5",
                "--out", dir.resolve("data").toString());
        assertEquals(0, s.exit(), s.err());
        in = dir.resolve("data/site-1");
        key = dir.resolve("project.key");
        Files.write(key, KEY);
        Map<String, Integer> labels = LabeledFolders.readLabels(in);
        assertEquals(patients, labels.size());
        return labels;
    }

    private CliRun deid(Path out, String... extra) {
        String[] base = {"deid", "--profile", PROFILE, "--key", key.toString(), "--no-progress"};
        String[] args = Stream.of(base, extra, new String[] {in.toString(), out.toString()})
                .flatMap(Stream::of).toArray(String[]::new);
        return CliRun.run(args);
    }

    private static String sop(Path dicom) throws IOException {
        return new DicomReader().read(dicom).dataSet().getString(Tag.SOPInstanceUID);
    }

    private static void writeLabels(Path csv, Map<String, Integer> rows, String header) throws IOException {
        StringBuilder sb = new StringBuilder(header == null ? "" : header + "\n");
        rows.forEach((uid, label) -> sb.append(uid).append(',').append(label).append('\n'));
        Files.writeString(csv, sb, StandardCharsets.UTF_8);
    }

    @Test
    void rowsFollowTheirObjectsToTheNewUidsAndTheRestAreDropped() throws IOException {
        Map<String, Integer> original = synth(12);
        // one object unreadable (quarantined), one object without a row, one row without an object
        String broken = sop(in.resolve("IMG00003.dcm"));
        Files.writeString(in.resolve("IMG00003.dcm"), "not DICOM");
        String unlabeled = sop(in.resolve("IMG00005.dcm"));
        String stray = "1.2.826.0.1.3680043.99999.1";
        Map<String, Integer> given = new HashMap<>(original);
        given.remove(unlabeled);
        given.put(stray, 1);
        writeLabels(in.resolve("labels.csv"), given, "sop_instance_uid,label");

        Path out = dir.resolve("out");
        CliRun r = deid(out);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("de-identified 11 file(s), quarantined 1, duplicates 0, skipped 0 (12 input(s))"),
                "labels.csv is not an input:\n" + r.out());
        assertTrue(r.out().contains("labels: 10 row(s) re-keyed to the new SOP Instance UIDs -> " + out.resolve("labels.csv")
                + " (2 dropped: their objects were not de-identified; 1 de-identified object(s) have no label row)"), r.out());
        assertFalse(Files.exists(dir.resolve("out-quarantine/labels.csv")), "labels.csv was not quarantined");

        // each row is its object's: the new UID the project key gives that object's original UID
        ProjectKey pk = new ProjectKey(KEY);
        Map<String, Integer> expected = new HashMap<>();
        given.forEach((old, label) -> {
            if (!old.equals(broken) && !old.equals(stray)) {
                expected.put(pk.uid(old), label);
            }
        });
        Path labels = out.resolve("labels.csv");
        assertEquals(expected, LabeledFolders.readLabelsFile(labels));
        Map<String, Path> outputs;
        try (Stream<Path> s = Files.walk(out)) {
            outputs = s.filter(p -> p.toString().endsWith(".dcm"))
                    .collect(Collectors.toMap(p -> p.getFileName().toString().replace(".dcm", ""), p -> p));
        }
        for (String uid : expected.keySet()) {
            assertTrue(outputs.containsKey(uid), "a row names an output object");
            assertEquals(uid, sop(outputs.get(uid)), "the object's SOP Instance UID is the row's");
        }

        // only new UIDs and labels, never an original UID
        String text = Files.readString(labels, StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertEquals("sop_instance_uid,label", lines.get(0));
        assertTrue(lines.stream().skip(1).allMatch(l -> l.matches("[0-9.]+,[0-9]+")), text);
        for (String old : given.keySet()) {
            assertFalse(text.contains(old), "an original SOP Instance UID is in the output labels");
        }
        for (String old : original.keySet()) {
            assertFalse(r.out().contains(old) || r.err().contains(old), "an original UID was printed");
        }
    }

    @Test
    void aRerunKeepsTheFileAndOtherLabelsForTheSameObjectsAreRefused() throws IOException {
        Map<String, Integer> labels = synth(6);
        Path out = dir.resolve("out");
        assertEquals(0, deid(out).exit());
        byte[] first = Files.readAllBytes(out.resolve("labels.csv"));

        CliRun again = deid(out);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("duplicates 6") && again.out().contains("labels: 6 row(s)"), again.out());
        assertArrayEquals(first, Files.readAllBytes(out.resolve("labels.csv")), "same run, same file");

        String flipped = labels.keySet().iterator().next();
        labels.put(flipped, 1 - labels.get(flipped));
        writeLabels(in.resolve("labels.csv"), labels, "sop_instance_uid,label");
        CliRun conflict = deid(out);
        assertEquals(1, conflict.exit(), conflict.out());
        assertTrue(conflict.err().contains("already gives 1 of these objects another label"), conflict.err());
        assertFalse(conflict.err().contains(flipped), conflict.err());
        assertArrayEquals(first, Files.readAllBytes(out.resolve("labels.csv")), "left as it was");
    }

    @Test
    void helpSaysLabelsFollow() {
        CliRun h = CliRun.run("deid", "--help");
        assertEquals(0, h.exit());
        String flat = h.out().replaceAll("\\s+", " ");
        assertTrue(flat.contains("--labels=FILE") && flat.contains("labels.csv")
                && flat.contains("re-keyed to its object's new SOP Instance UID"), h.out());
    }

    @Test
    void labelsOptionNamesAnotherFileAndBadLabelFilesSayWhat() throws IOException {
        Map<String, Integer> labels = synth(4);
        Path elsewhere = dir.resolve("elsewhere.csv");
        Files.move(in.resolve("labels.csv"), elsewhere);
        writeLabels(elsewhere, labels, null); // headerless, as train also reads

        CliRun ok = deid(dir.resolve("out1"), "--labels", elsewhere.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("labels: 4 row(s) re-keyed") && ok.out().contains("(none dropped)"), ok.out());
        assertEquals(4, LabeledFolders.readLabels(dir.resolve("out1")).size());

        // a bad --labels stops the run before anything is written
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "sop_instance_uid,label\n1.2.3,1,extra\n");
        CliRun refused = deid(dir.resolve("out2"), "--labels", bad.toString());
        assertEquals(1, refused.exit());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().contains("--labels") && refused.err().contains("line 2"), refused.err());
        assertFalse(refused.err().contains("1.2.3"), "the line's content is not printed: " + refused.err());
        assertFalse(Files.exists(dir.resolve("out2")));

        // two label files: which one should follow is the user's call
        writeLabels(in.resolve("labels.csv"), labels, "sop_instance_uid,label");
        CliRun two = deid(dir.resolve("out3"), "--labels", elsewhere.toString());
        assertEquals(1, two.exit());
        assertTrue(two.err().contains("two label files"), two.err());
        assertFalse(Files.exists(dir.resolve("out3")));

        // an IN/labels.csv that train could not read is not carried, and deid says so
        Files.writeString(in.resolve("labels.csv"), "PatientName,diagnosis,date\n");
        CliRun foreign = deid(dir.resolve("out4"));
        assertEquals(0, foreign.exit(), foreign.err());
        assertTrue(foreign.out().contains("is not in the SOPInstanceUID,label format train reads"), foreign.out());
        assertTrue(Files.exists(dir.resolve("out4-quarantine/labels.csv")));
        assertFalse(Files.exists(dir.resolve("out4/labels.csv")));
    }
}
