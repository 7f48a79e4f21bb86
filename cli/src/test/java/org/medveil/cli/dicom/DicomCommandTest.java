package org.medveil.cli.dicom;

import org.medveil.cli.CliRun;
import static org.medveil.cli.CliRun.run;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.Main;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4 commands: medveil dicom dump / convert / scp, run in-process. */
@Tag("issue-4")
class DicomCommandTest {


    @Test
    void dumpPrintsElementsAndIndentsSequences() {
        CliRun r = run("dicom", "dump", ExternalTools.corpusFile("rtplan.dcm").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(300a,0010) SQ (Sequence with explicit length #=2)"), r.out());
        assertTrue(r.out().contains("\n  (fffe,e000) na (Item with explicit length #=7)"), r.out());
        assertTrue(r.out().contains("\n    (300a,0012) IS [1]"), r.out());
    }

    @Test
    void dumpOfATruncatedFileIsOneLineWithOffsetAndTag() {
        CliRun r = run("dicom", "dump", ExternalTools.corpusFile("rtplan_truncated.dcm").toString());
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("offset 1418 in element (300a,00b0)"), r.err());
        assertFalse(r.err().contains("at org."), "no stack trace without --verbose");
    }

    @Test
    void dumpOfAMissingFileSaysSo(@TempDir Path dir) {
        CliRun r = run("dicom", "dump", dir.resolve("nope.dcm").toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
    }

    @Test
    void convertRewritesAFileThatDcmdumpReads(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("ct-implicit.dcm");
        CliRun r = run("dicom", "convert", "--to", "implicit-le", ExternalTools.corpusFile("CT_small.dcm").toString(), out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(TransferSyntax.IMPLICIT_LE, new DicomReader().read(out).transferSyntax());
        assertEquals(0, ExternalTools.run(ExternalTools.tool("dcmdump").toString(), out.toString()));
    }

    @Test
    void convertDecodesCompressedPixelData(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("mr.dcm");
        CliRun r = run("dicom", "convert", "--to", "explicit-le", ExternalTools.corpusFile("MR_small_RLE.dcm").toString(), out.toString());
        assertEquals(0, r.exit(), r.err());
        DicomFile twin = new DicomReader().read(ExternalTools.corpusFile("MR_small.dcm"));
        assertArrayEquals(twin.dataSet().getBytes(org.medveil.dicom.Tag.PixelData),
                new DicomReader().read(out).dataSet().getBytes(org.medveil.dicom.Tag.PixelData));
    }

    @Test
    void convertMirrorsAFolderAndReportsWhatItSkips(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in/sub"));
        Files.copy(ExternalTools.corpusFile("CT_small.dcm"), in.resolve("a.dcm"));
        Files.copy(ExternalTools.corpusFile("rtplan_truncated.dcm"), in.resolve("b.dcm"));
        CliRun r = run("dicom", "convert", "--to", "deflated", dir.resolve("in").toString(), dir.resolve("out").toString());
        assertEquals(1, r.exit(), "a skipped file makes the run fail: " + r.out() + r.err());
        assertTrue(r.out().contains("converted 1 file(s) to DeflatedExplicitVRLittleEndian, skipped 1 (2 input(s))"), r.out());
        assertTrue(r.err().contains("skipped sub/b.dcm"), r.err());
        assertTrue(r.err().contains("1 of 2 file(s) in " + dir.resolve("in") + " were not converted"), r.err());
        assertEquals(TransferSyntax.DEFLATED_LE, new DicomReader().read(dir.resolve("out/sub/a.dcm")).transferSyntax());
    }

    /** CT_small under another patient: same SOP Instance UID, different content. */
    private static void otherPatient(Path target) throws Exception {
        DicomFile f = new DicomReader().read(ExternalTools.corpusFile("CT_small.dcm"));
        f.dataSet().putString(org.medveil.dicom.Tag.PatientID, org.medveil.dicom.VR.LO, "OTHER-4711");
        new org.medveil.dicom.io.DicomWriter().writeFile(f, target, f.transferSyntax());
    }

    @Test
    @Tag("issue-9")
    void convertCountsDuplicateUidsAndNeverReplacesAFile(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(ExternalTools.corpusFile("CT_small.dcm"), in.resolve("a.dcm"));
        Files.copy(ExternalTools.corpusFile("CT_small.dcm"), in.resolve("b.dcm"));
        otherPatient(in.resolve("c.dcm"));
        Files.copy(ExternalTools.corpusFile("MR_small.dcm"), in.resolve("d.dcm"));
        Path out = Files.createDirectories(dir.resolve("out"));
        byte[] mine = "an unrelated file the user keeps here".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.write(out.resolve("d.dcm"), mine);
        CliRun r = run("dicom", "convert", "--to", "implicit-le", in.toString(), out.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("converted 1 file(s) to ImplicitVRLittleEndian, duplicates 1, skipped 1, failed 1 (4 input(s))"),
                r.out());
        assertTrue(r.err().contains("duplicate b.dcm: same SOP Instance UID and content as a.dcm"), r.err());
        assertTrue(r.err().contains("skipped c.dcm: duplicate SOP Instance UID, different content"), r.err());
        assertTrue(r.err().contains("failed d.dcm: d.dcm exists and holds something else; it was not replaced"), r.err());
        assertArrayEquals(mine, Files.readAllBytes(out.resolve("d.dcm")), "an existing file is never replaced");
        try (var s = Files.list(out)) {
            assertEquals(List.of("a.dcm", "d.dcm"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no second copy of one object, no temporary file left");
        }
        byte[] a = Files.readAllBytes(out.resolve("a.dcm"));
        r = run("dicom", "convert", "--to", "implicit-le", in.resolve("a.dcm").toString(), out.resolve("a.dcm").toString());
        assertEquals(0, r.exit(), "converting again to the same content is fine: " + r.err());
        assertTrue(r.out().contains("already holds this object"), r.out());
        r = run("dicom", "convert", "--to", "implicit-le", in.resolve("c.dcm").toString(), out.resolve("a.dcm").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("exists and holds something else; it was not replaced"), r.err());
        assertArrayEquals(a, Files.readAllBytes(out.resolve("a.dcm")));
    }

    @Test
    @Tag("issue-9")
    void convertRefusesDicomdirsAndConvertsTheFilesTheyReference(@TempDir Path dir) throws Exception {
        Path in = DicomdirMedium.copy(dir.resolve("in"));
        Path out = dir.resolve("out");
        CliRun r = run("dicom", "convert", "--to", "explicit-le", in.toString(), out.toString());
        assertEquals(1, r.exit(), "the refused DICOMDIR makes the run fail");
        assertTrue(r.err().contains("skipped DICOMDIR: is a DICOMDIR (media directory); convert does not rewrite one"), r.err());
        assertFalse(Files.exists(out.resolve("DICOMDIR")), "no DICOMDIR with stale offsets is written");
        List<String> converted;
        try (var s = Files.walk(out)) {
            converted = s.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
        }
        assertEquals(DicomdirMedium.pydicomReferences(in.resolve("DICOMDIR")).size(), converted.size());
        List<String> dcmdump = new java.util.ArrayList<>(List.of(ExternalTools.tool("dcmdump").toString(), "-q"));
        dcmdump.addAll(converted);
        assertEquals(0, ExternalTools.run(dcmdump.toArray(String[]::new)), "dcmdump reads every converted file");

        r = run("dicom", "convert", "--to", "explicit-le", in.resolve("DICOMDIR").toString(), dir.resolve("x").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("medveil: error: cannot convert DICOMDIR: is a DICOMDIR (media directory)"), r.err());
        assertTrue(r.err().contains("dcmmkdir"), "says what to do instead: " + r.err());
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    @Tag("issue-9")
    void dumpTakesSeveralFilesAndFoldersAndGoesOnAfterABadOne(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("f"));
        Files.copy(ExternalTools.corpusFile("MR_small.dcm"), folder.resolve("1.dcm"));
        Files.copy(ExternalTools.corpusFile("rtplan_truncated.dcm"), folder.resolve("2.dcm"));
        Files.copy(ExternalTools.corpusFile("rtplan.dcm"), folder.resolve("3.dcm"));
        Path ct = ExternalTools.corpusFile("CT_small.dcm");
        CliRun r = run("dicom", "dump", ct.toString(), folder.toString(), dir.resolve("missing.dcm").toString());
        assertEquals(1, r.exit(), "a file that could not be read makes the exit code non-zero");
        String out = r.out();
        List<String> headers = out.lines().filter(l -> l.startsWith("# dump (")).toList();
        assertEquals(List.of("# dump (1/5): " + ct, "# dump (2/5): " + folder.resolve("1.dcm"), "# dump (3/5): " + folder.resolve("2.dcm"),
                "# dump (4/5): " + folder.resolve("3.dcm"), "# dump (5/5): " + dir.resolve("missing.dcm")), headers);
        assertEquals(3, out.split("# Dicom-File-Format", -1).length - 1, "three files dumped");
        assertTrue(out.indexOf("(300a,0010) SQ") > out.indexOf("# dump (4/5)"), "the file after the bad one is dumped");
        List<String> errors = r.err().lines().toList();
        assertEquals(3, errors.size(), r.err());
        assertTrue(errors.get(0).startsWith("E: cannot read 2.dcm: ") && errors.get(0).contains("offset 1418"), errors.get(0));
        assertTrue(errors.get(1).startsWith("E: no such file: " + dir.resolve("missing.dcm")), errors.get(1));
        assertEquals("medveil: error: 2 of 5 file(s) could not be read; see the E: lines", errors.get(2));
        // each section equals the single-file dump of that file
        String single = run("dicom", "dump", ct.toString()).out();
        assertTrue(out.contains(single), "per-file section differs from the single-file dump");
    }

    @Test
    void convertRejectsAnUnknownSyntax(@TempDir Path dir) {
        CliRun r = run("dicom", "convert", "--to", "jpeg", "a", "b");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("use explicit-le, implicit-le or deflated"), r.err());
    }

    @Test
    void scpWithItsPortInUseFailsWithOneLineAndCreatesNoOutFolder(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path out = dir.resolve("received");
            org.medveil.cli.CliRun r = org.medveil.cli.CliRun.run("dicom", "scp", "--aet", "MEDVEIL", "--port",
                    Integer.toString(taken.getLocalPort()), "--bind", "127.0.0.1", "--out", out.toString());
            assertNotEquals(0, r.exit());
            assertTrue(r.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(Files.notExists(out), "--out must not be created when the port cannot be bound");
        }
    }

    @Test
    void scpReceivesWhatStorescuSends(@TempDir Path dir) throws Exception {
        Path storescu = ExternalTools.tool("storescu");
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        Thread t = new Thread(() -> cl.execute("dicom", "scp", "--aet", "MEDVEIL", "--port", "0", "--bind", "127.0.0.1",
                "--out", dir.toString()), "scp-under-test");
        t.setDaemon(true); // the command runs until the JVM stops, like a daemon
        t.start();
        Pattern listening = Pattern.compile("listening on 127.0.0.1:(\\d+)");
        int port = -1;
        for (int i = 0; i < 100 && port < 0; i++) {
            Matcher m = listening.matcher(out.toString());
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            } else {
                Thread.sleep(50);
            }
        }
        assertTrue(port > 0, "scp did not start: " + out);
        assertEquals(0, ExternalTools.run(ExternalTools.tool("echoscu").toString(), "-aec", "MEDVEIL", "127.0.0.1", Integer.toString(port)));
        assertEquals(0, ExternalTools.run(storescu.toString(), "-aec", "MEDVEIL", "127.0.0.1", Integer.toString(port),
                ExternalTools.corpusFile("CT_small.dcm").toString()));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.toString().endsWith(".dcm")).count());
        }
    }

    @Test
    @Tag("issue-9")
    void scpKeepsTheFirstObjectUnderAUidAndLogsTheRefusalWithoutPhi(@TempDir Path dir) throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.medveil.dicom.net");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            Path received = dir.resolve("received");
            CommandLine cl = Main.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            Thread t = new Thread(() -> cl.execute("dicom", "scp", "--aet", "MEDVEIL", "--port", "0", "--bind", "127.0.0.1",
                    "--out", received.toString()), "scp-under-test");
            t.setDaemon(true);
            t.start();
            Pattern listening = Pattern.compile("listening on 127.0.0.1:(\\d+)");
            int port = -1;
            for (int i = 0; i < 100 && port < 0; i++) {
                Matcher m = listening.matcher(out.toString());
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                } else {
                    Thread.sleep(50);
                }
            }
            assertTrue(port > 0, "scp did not start: " + out);
            String storescu = ExternalTools.tool("storescu").toString();
            Path ct = ExternalTools.corpusFile("CT_small.dcm");
            Path other = dir.resolve("other.dcm");
            otherPatient(other);
            assertEquals(0, ExternalTools.run(storescu, "-aec", "MEDVEIL", "127.0.0.1", Integer.toString(port), ct.toString()));
            Path stored;
            try (var s = Files.list(received)) {
                stored = s.toList().get(0);
            }
            byte[] first = Files.readAllBytes(stored);
            assertEquals(0, ExternalTools.run(storescu, "-aec", "MEDVEIL", "127.0.0.1", Integer.toString(port), ct.toString()),
                    "the same object again is a success");
            assertNotEquals(0, ExternalTools.run(storescu, "-aec", "MEDVEIL", "127.0.0.1", Integer.toString(port), other.toString()),
                    "a different object under a stored UID is refused");
            assertArrayEquals(first, Files.readAllBytes(stored), "the stored file is unchanged");
            try (var s = Files.list(received)) {
                assertEquals(1, s.count());
            }
            List<String> logged = List.copyOf(lines.list).stream().map(e -> e.getFormattedMessage()).toList();
            assertTrue(logged.stream().anyMatch(l -> l.contains("already stored as " + stored.getFileName() + " with the same content")),
                    String.join("\n", logged));
            assertTrue(logged.stream().anyMatch(l -> l.contains("has the SOP Instance UID of " + stored.getFileName()
                    + " but a different data set; refused")), String.join("\n", logged));
            String uid = new DicomReader().read(ct).dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID);
            for (String l : logged) {
                assertFalse(l.contains("OTHER-4711") || l.contains(uid) || l.contains("CompressedSamples"),
                        "PHI or a UID in a log line: " + l);
            }
        } finally {
            log.detachAppender(lines);
        }
    }
}
