package org.medveil.cli.deid;

import org.medveil.cli.CliRun;
import org.medveil.testsupport.External;
import static org.medveil.cli.CliRun.run;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertTrue(r.out().contains("de-identified 2 file(s), quarantined 2"), r.out());
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
        assertTrue(r.err().contains("at least 16 random bytes"), r.err());
    }

    @Test
    @DisplayName("REQ-DEID-3 parallel runs write the same outputs as a sequential run (substitution is deterministic)")
    void threadsDoNotChangeOutputs() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        for (String f : List.of("CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "test-SR.dcm")) {
            Files.copy(External.pydicomData("test_files/" + f), in.resolve(f));
        }
        List<String> seen = null;
        for (String threads : List.of("1", "4")) {
            Path out = dir.resolve("out" + threads);
            CliRun r = run("deid", "--no-progress", "--threads", threads, "--profile", PROFILES.resolve("basic.yaml").toString(),
                    "--key", key().toString(), in.toString(), out.toString());
            assertEquals(0, r.exit(), r.err());
            List<String> names;
            try (Stream<Path> s = Files.walk(out)) {
                names = s.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()).sorted().toList();
            }
            assertEquals(4, names.size());
            if (seen != null) {
                assertEquals(seen, names);
            }
            seen = names;
        }
    }

    @Test
    void help() {
        CliRun r = run("deid", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--profile") && r.out().contains("--escrow-key") && r.out().contains("quarantine"));
    }
}
