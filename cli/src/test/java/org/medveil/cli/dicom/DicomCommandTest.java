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
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("converted 1 file(s)"), r.out());
        assertTrue(r.err().contains("skipped sub/b.dcm"), r.err());
        assertEquals(TransferSyntax.DEFLATED_LE, new DicomReader().read(dir.resolve("out/sub/a.dcm")).transferSyntax());
    }

    @Test
    void convertRejectsAnUnknownSyntax(@TempDir Path dir) {
        CliRun r = run("dicom", "convert", "--to", "jpeg", "a", "b");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("use explicit-le, implicit-le or deflated"), r.err());
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
}
