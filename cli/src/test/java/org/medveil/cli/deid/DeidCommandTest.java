package org.medveil.cli.deid;

import org.medveil.cli.CliRun;
import org.medveil.cli.dicom.DicomdirMedium;
import org.medveil.testsupport.External;
import static org.medveil.cli.CliRun.run;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-DEID-3")
class DeidCommandTest {
    private static final Path PROFILES = Path.of("..", "config", "deid");

    @TempDir
    Path dir;



    private Path key() throws Exception {
        Path k = dir.resolve("project.key");
        Files.writeString(k, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        return k;
    }

    @Test
    @DisplayName("REQ-DEID-3 medveil deid de-identifies a folder; unreadable and refused files are quarantined with a reason")
    void folderWithQuarantine() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in.resolve("Doe^John"));
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), in.resolve("Doe^John/ct.dcm"));
        Files.copy(External.pydicomData("test_files/MR_small.dcm"), in.resolve("mr.dcm"));
        Files.writeString(in.resolve("notes.txt"), "not a DICOM file");
        DicomFile burned = new DicomReader().read(External.pydicomData("test_files/MR_small.dcm"));
        burned.dataSet().putString(0x00280301, VR.CS, "YES");
        new DicomWriter().writeFile(burned, in.resolve("burned.dcm"), burned.transferSyntax());
        Path out = dir.resolve("out");
        CliRun r = run("deid", "--no-progress", "--profile", PROFILES.resolve("basic.yaml").toString(),
                "--key", key().toString(), in.toString(), out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("de-identified 2 file(s), quarantined 2, duplicates 0, skipped 0 (4 input(s))"), r.out());
        assertTrue(r.out().contains("quarantined (not readable as DICOM): 1"), r.out());
        assertTrue(r.out().contains("quarantined (refused by the profile): 1"), r.out());
        assertFalse(r.out().contains("Doe") || r.err().contains("Doe"), "no input path (may hold a name) is printed");
        List<Path> outputs;
        try (Stream<Path> s = Files.walk(out)) {
            outputs = s.filter(Files::isRegularFile).toList();
        }
        assertEquals(2, outputs.size());
        for (Path p : outputs) {
            assertTrue(p.getFileName().toString().startsWith("2.25."), "named by the new UID: " + p);
            DataSet ds = new DicomReader().read(p).dataSet();
            assertEquals("YES", ds.getString(0x00120062));
            assertEquals("T/SCGS 313008 Table 2 avail low conf high", ds.getStrings(0x00120063).get(2),
                    "REQ-DEID-5: the object records the Table 2 scenario it was produced under");
            for (String v : ds.getStrings(0x00120063)) {
                assertTrue(v.length() <= 64, "De-identification Method is LO, at most 64 characters: " + v);
            }
        }
        Path q = dir.resolve("out-quarantine");
        assertTrue(Files.readString(q.resolve("notes.txt.reason.txt")).startsWith("not readable as DICOM"));
        assertTrue(Files.readString(q.resolve("burned.dcm.reason.txt")).contains("Burned In Annotation (0028,0301) is YES"));
        assertTrue(Files.isRegularFile(q.resolve("burned.dcm")));
    }

    @Test
    @Tag("REQ-DEID-2")
    @DisplayName("REQ-DEID-2 a profile Table 2 discourages is refused with one line, no stack trace")
    void table2Refusal() throws Exception {
        Path p = dir.resolve("hh.yaml");
        Files.writeString(p, "name: hh\nscenario: {availability: high, confidentiality: high}\noptions: []\n");
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), in.resolve("ct.dcm"));
        CliRun r = run("deid", "--no-progress", "--profile", p.toString(), "--key", key().toString(), in.toString(),
                dir.resolve("out").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("medveil: error: de-identification profile 'hh' uses substitution"), r.err());
        assertTrue(r.err().contains("Table 2"));
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertFalse(Files.exists(dir.resolve("out")), "nothing is written under a refused profile");
    }

    @Test
    void escrowNeedsItsKeyAndKeysMustBeLongEnough() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), in.resolve("ct.dcm"));
        CliRun r = run("deid", "--no-progress", "--profile", PROFILES.resolve("basic-escrow.yaml").toString(),
                "--key", key().toString(), in.toString(), dir.resolve("out").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--escrow-key FILE"), r.err());
        Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, "abc");
        r = run("deid", "--profile", PROFILES.resolve("basic.yaml").toString(), "--key", shortKey.toString(),
                in.toString(), dir.resolve("out").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("expected exactly 32 raw bytes"), r.err());
    }

    @Test
    @DisplayName("deid refuses an OUT equal to IN or inside IN, with one line, and writes nothing; OUT = a parent of IN is fine")
    void outMustNotBeInsideIn() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), in.resolve("ct.dcm"));
        for (Path out : List.of(in, in.resolve("out"), in.resolve("sub/../."), dir.resolve("./in/x/y"))) {
            CliRun r = run("deid", "--no-progress", "--profile", PROFILES.resolve("basic.yaml").toString(),
                    "--key", key().toString(), in.toString(), out.toString());
            assertEquals(1, r.exit(), out.toString());
            assertTrue(r.err().startsWith("medveil: error: OUT "), r.err());
            assertTrue(r.err().contains("choose an output folder outside the input"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            try (Stream<Path> s = Files.walk(dir)) {
                assertEquals(List.of(in.resolve("ct.dcm")), s.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().equals("project.key")).toList(), "nothing written");
            }
            try (Stream<Path> s = Files.list(in)) {
                assertEquals(1, s.count(), "no folder made inside IN");
            }
        }
        Path parentOut = dir;
        CliRun r = run("deid", "--no-progress", "--profile", PROFILES.resolve("basic.yaml").toString(),
                "--key", key().toString(), in.toString(), parentOut.resolve("sibling").toString());
        assertEquals(0, r.exit(), r.err());
        Path nested = dir.resolve("a/in");
        Files.createDirectories(nested);
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), nested.resolve("ct.dcm"));
        r = run("deid", "--no-progress", "--profile", PROFILES.resolve("basic.yaml").toString(),
                "--key", key().toString(), nested.toString(), dir.resolve("a").toString());
        assertEquals(0, r.exit(), "OUT = a parent of IN is allowed: " + r.err());
    }

    @Test
    @DisplayName("the key file is exactly 32 raw bytes or 64 hex characters (one trailing newline allowed); anything else is one line naming both forms")
    void keyFileForms() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), in.resolve("ct.dcm"));
        String hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        Map<String, byte[]> bad = new TreeMap<>();
        bad.put("31 raw", new byte[31]);
        bad.put("33 raw", new byte[33]);
        bad.put("63 hex", hex.substring(1).getBytes());
        bad.put("65 hex", (hex + "0").getBytes());
        bad.put("bad hex", ("g" + hex.substring(1) + "\n").getBytes());
        bad.put("two newlines", (hex + "\n\n").getBytes());
        bad.put("spaces", (" " + hex + "\n").getBytes());
        int n = 0;
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            Path k = dir.resolve("bad" + n++ + ".key");
            Files.write(k, e.getValue());
            CliRun r = run("deid", "--no-progress", "--profile", PROFILES.resolve("basic.yaml").toString(),
                    "--key", k.toString(), in.toString(), dir.resolve("out").toString());
            assertEquals(1, r.exit(), e.getKey());
            assertTrue(r.err().contains("expected exactly 32 raw bytes") && r.err().contains("64 hex characters"),
                    e.getKey() + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(dir.resolve("out")), e.getKey() + ": nothing written");
        }
        byte[] raw32 = new byte[32];
        raw32[0] = 0x0a; // a raw key may itself end in... anything; a leading newline byte must not confuse it
        raw32[31] = 0x0a;
        Map<String, byte[]> good = Map.of("raw", raw32, "hex", hex.getBytes(), "hex+nl", (hex + "\n").getBytes(),
                "HEX", hex.toUpperCase().getBytes());
        for (Map.Entry<String, byte[]> e : good.entrySet()) {
            Path k = dir.resolve("good-" + e.getKey() + ".key");
            Files.write(k, e.getValue());
            CliRun r = run("deid", "--no-progress", "--profile", PROFILES.resolve("basic.yaml").toString(),
                    "--key", k.toString(), in.toString(), dir.resolve("out-" + e.getKey()).toString());
            assertEquals(0, r.exit(), e.getKey() + ": " + r.err());
        }
    }

    @Test
    @DisplayName("a profile's relative occlusionRules path is resolved against the profile's folder, not the working directory")
    void profileRelativePaths() throws Exception {
        Path profiles = dir.resolve("site/profiles");
        Files.createDirectories(profiles.resolve("rules"));
        Files.copy(Path.of("..", "config", "occlusion", "synthetic.rules"), profiles.resolve("rules/site.rules"));
        Files.writeString(profiles.resolve("p.yaml"), "name: p\nscenario: {availability: low, confidentiality: high}\n"
                + "options: []\nocclusionRules: rules/site.rules\n");
        assertFalse(Files.exists(Path.of("rules", "site.rules")), "the working directory (cli/) has no such file");
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), in.resolve("ct.dcm"));
        CliRun r = run("deid", "--no-progress", "--profile", profiles.resolve("p.yaml").toString(),
                "--key", key().toString(), in.toString(), dir.resolve("out").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("de-identified 1 file(s)"), r.out());
    }

    @Test
    @DisplayName("no progress bar is drawn when there is no terminal (tests run without one)")
    void noProgressBarWithoutTerminal() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), in.resolve("ct.dcm"));
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true));
        CliRun r;
        try {
            r = run("deid", "--profile", PROFILES.resolve("basic.yaml").toString(),
                    "--key", key().toString(), in.toString(), dir.resolve("out").toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, r.exit(), r.err());
        assertEquals(null, System.console(), "this test needs a run without a terminal");
        assertFalse(err.toString().contains("deid"), "no progress bar on a non-terminal stderr: " + err);
    }

    @Test
    @DisplayName("REQ-DEID-3 parallel runs write the same outputs, byte for byte, as a sequential run (substitution is deterministic)")
    void threadsDoNotChangeOutputs() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        for (String f : List.of("CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "test-SR.dcm", "JPEG2000.dcm", "SC_rgb_rle.dcm", "rtdose.dcm")) {
            Files.copy(External.pydicomData("test_files/" + f), in.resolve(f));
        }
        Map<String, byte[]> seen = null;
        for (String threads : List.of("1", "4")) {
            Path out = dir.resolve("out" + threads);
            CliRun r = run("deid", "--no-progress", "--threads", threads, "--profile", PROFILES.resolve("basic.yaml").toString(),
                    "--key", key().toString(), in.toString(), out.toString());
            assertEquals(0, r.exit(), r.err());
            Map<String, byte[]> outputs = new TreeMap<>();
            for (Path p : files(out)) {
                outputs.put(out.relativize(p).toString(), Files.readAllBytes(p));
            }
            assertEquals(7, outputs.size(), r.out());
            if (seen != null) {
                assertEquals(seen.keySet(), outputs.keySet());
                for (String name : seen.keySet()) {
                    assertArrayEquals(seen.get(name), outputs.get(name), name + " differs between --threads 1 and 4");
                }
            }
            seen = outputs;
        }
    }

    /** The counts of the summary's first line; every input must be in exactly one. */
    record Counts(int done, int quarantined, int duplicates, int skipped, int inputs) {
        static Counts of(String out) {
            Matcher m = Pattern.compile("de-identified (\\d+) file\\(s\\), quarantined (\\d+), duplicates (\\d+), "
                    + "skipped (\\d+) \\((\\d+) input\\(s\\)\\)").matcher(out);
            assertTrue(m.find(), "no summary line in:\n" + out);
            Counts c = new Counts(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)));
            assertEquals(c.inputs(), c.done() + c.quarantined() + c.duplicates() + c.skipped(),
                    "the summary's counts must add up to the inputs: " + out);
            return c;
        }
    }

    /** Every regular file under {@code root}, hidden temporary files included. */
    static List<Path> files(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** CT_small with another patient: same SOP Instance UID, different content. */
    private static void otherPatient(Path target, String id) throws Exception {
        DicomFile f = new DicomReader().read(External.pydicomData("test_files/CT_small.dcm"));
        f.dataSet().putString(org.medveil.dicom.Tag.PatientID, VR.LO, id);
        f.dataSet().putString(org.medveil.dicom.Tag.PatientName, VR.PN, "Other^Patient^" + id);
        new DicomWriter().writeFile(f, target, f.transferSyntax());
    }

    @ParameterizedTest(name = "--threads {0}")
    @ValueSource(strings = {"1", "2"})
    @DisplayName("issue 9: inputs sharing a SOP Instance UID never overwrite an output; duplicates are counted, conflicts quarantined")
    void duplicateSopInstanceUidsNeverOverwriteAnOutput(String threads) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Path ct = External.pydicomData("test_files/CT_small.dcm");
        for (int i = 1; i <= 3; i++) {
            Files.copy(ct, in.resolve("a-p1-" + i + ".dcm"));
        }
        for (int i = 1; i <= 2; i++) {
            otherPatient(in.resolve("b-p2-" + i + ".dcm"), "OTHER-4711");
        }
        Path out = dir.resolve("out");
        CliRun r = run("deid", "--no-progress", "--threads", threads, "--profile", PROFILES.resolve("basic.yaml").toString(),
                "--key", key().toString(), in.toString(), out.toString());
        assertEquals(0, r.exit(), r.err());
        Counts c = Counts.of(r.out());
        assertEquals(5, c.inputs());
        assertEquals(1, c.done(), r.out());
        if (threads.equals("1")) { // name order: patient 1 first, its copies are duplicates, patient 2 conflicts
            assertEquals(new Counts(1, 2, 2, 0, 5), c, r.out());
        } else { // whichever patient finished first won; the rest are duplicates of it or conflicts
            assertTrue(c.equals(new Counts(1, 2, 2, 0, 5)) || c.equals(new Counts(1, 3, 1, 0, 5)), r.out());
        }
        List<Path> outputs = files(out);
        assertEquals(1, outputs.size(), "one object, one file, no temporary file left: " + outputs);
        Path q = dir.resolve("out-quarantine");
        List<Path> quarantined = files(q).stream().filter(p -> !p.toString().endsWith(".reason.txt")).toList();
        assertEquals(c.quarantined(), quarantined.size());
        for (Path p : quarantined) {
            String reason = Files.readString(p.resolveSibling(p.getFileName() + ".reason.txt"));
            assertTrue(reason.startsWith("duplicate SOP Instance UID, different content: "), reason);
            assertArrayEquals(Files.readAllBytes(in.resolve(p.getFileName().toString())), Files.readAllBytes(p),
                    "the quarantine holds the original input");
        }
        if (threads.equals("1")) {
            assertEquals(List.of("b-p2-1.dcm", "b-p2-2.dcm"), quarantined.stream().map(p -> p.getFileName().toString()).toList());
        }

        // a later run into the same folder with a third patient under the same UID leaves the output as it was
        byte[] before = Files.readAllBytes(outputs.get(0));
        Path in2 = Files.createDirectories(dir.resolve("in2"));
        otherPatient(in2.resolve("c-p3.dcm"), "THIRD-0815");
        r = run("deid", "--no-progress", "--threads", threads, "--profile", PROFILES.resolve("basic.yaml").toString(),
                "--key", key().toString(), in2.toString(), out.toString());
        assertEquals(new Counts(0, 1, 0, 0, 1), Counts.of(r.out()));
        assertEquals(1, r.exit(), "nothing de-identified, one input quarantined");
        assertEquals(outputs, files(out));
        assertArrayEquals(before, Files.readAllBytes(outputs.get(0)), "an output is never replaced");
        assertTrue(Files.readString(q.resolve("c-p3.dcm.reason.txt")).startsWith("duplicate SOP Instance UID, different content"));
    }

    @Test
    @DisplayName("issue 9: with escrow (random nonce per sealing) a copy of an input, or a re-run, is still a duplicate")
    void escrowDuplicatesAreRecognisedByWhatTheySeal() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), in.resolve("a.dcm"));
        Files.copy(External.pydicomData("test_files/CT_small.dcm"), in.resolve("b.dcm"));
        otherPatient(in.resolve("c.dcm"), "OTHER-4711");
        Path escrow = dir.resolve("escrow.key");
        Files.writeString(escrow, "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100");
        Path out = dir.resolve("out");
        String[] args = {"deid", "--no-progress", "--threads", "1", "--profile", PROFILES.resolve("basic-escrow.yaml").toString(),
                "--key", key().toString(), "--escrow-key", escrow.toString(), in.toString(), out.toString()};
        CliRun r = run(args);
        assertEquals(0, r.exit(), r.err());
        assertEquals(new Counts(1, 1, 1, 0, 3), Counts.of(r.out()));
        Path output = files(out).get(0);
        byte[] before = Files.readAllBytes(output);
        r = run(args);
        assertEquals(0, r.exit(), r.err());
        assertEquals(new Counts(0, 1, 2, 0, 3), Counts.of(r.out()), "a re-run finds its outputs already there");
        assertEquals(List.of(output), files(out));
        assertArrayEquals(before, Files.readAllBytes(output));
    }

    @Test
    @DisplayName("issue 9: deid skips a DICOMDIR with the reason and de-identifies each file it references once")
    void dicomdirIsSkippedAndItsFilesDeidentifiedOnce() throws Exception {
        Path in = DicomdirMedium.copy(dir.resolve("in"));
        List<String> refs = DicomdirMedium.pydicomReferences(in.resolve("DICOMDIR"));
        assertTrue(refs.size() > 20, "pydicom lists the references: " + refs);
        Set<String> idParts = new HashSet<>();
        refs.forEach(ref -> idParts.addAll(List.of(ref.split("/"))));
        for (Path arg : List.of(in, in.resolve("DICOMDIR"))) { // the folder, or the DICOMDIR standing for its files
            Path out = dir.resolve("out-" + arg.getFileName());
            CliRun r = run("deid", "--no-progress", "--threads", "2", "--profile", PROFILES.resolve("basic.yaml").toString(),
                    "--key", key().toString(), arg.toString(), out.toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals(new Counts(refs.size(), 0, 0, 1, refs.size() + 1), Counts.of(r.out()));
            assertTrue(r.out().contains("skipped (media directory (DICOMDIR), not copied"), r.out());
            List<Path> outputs = files(out);
            assertEquals(refs.size(), outputs.size());
            Set<String> sops = new HashSet<>();
            for (Path p : outputs) {
                DicomFile f = new DicomReader().read(p);
                assertNotEquals("1.2.840.10008.1.3.10", f.meta().getString(org.medveil.dicom.Tag.MediaStorageSOPClassUID), "no DICOMDIR is copied");
                assertTrue(sops.add(f.dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID)), "each referenced file once");
                for (Path part : out.relativize(p)) {
                    assertFalse(idParts.contains(part.toString()), "a Referenced File ID part in an output path: " + p);
                }
            }
            for (String part : idParts) {
                assertFalse(r.out().contains(part) || r.err().contains(part), "Referenced File ID part '" + part + "' printed");
            }
            assertFalse(Files.exists(dir.resolve(out.getFileName() + "-quarantine")), "nothing quarantined");
        }
        assertEquals(files(dir.resolve("out-in")).stream().map(p -> dir.resolve("out-in").relativize(p)).toList(),
                files(dir.resolve("out-DICOMDIR")).stream().map(p -> dir.resolve("out-DICOMDIR").relativize(p)).toList(),
                "folder and DICOMDIR give the same outputs");

        Files.delete(in.resolve(refs.get(0))); // a medium with a file missing: said, without naming it
        CliRun r = run("deid", "--no-progress", "--profile", PROFILES.resolve("basic.yaml").toString(),
                "--key", key().toString(), in.toString(), dir.resolve("out-missing").toString());
        assertEquals(new Counts(refs.size() - 1, 0, 0, 1, refs.size()), Counts.of(r.out()));
        assertTrue(r.out().contains("a DICOMDIR references 1 file(s) that are not in the input"), r.out());
    }

    @Test
    void help() {
        CliRun r = run("deid", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--profile") && r.out().contains("--escrow-key") && r.out().contains("quarantine"));
    }
}
