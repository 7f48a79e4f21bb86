package org.medveil.dicom.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Environment;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.dict.Uids;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4 "Done when" #2 with dcmtk as the sender: echoscu, storescu and dcmsend against our SCP. */
@Tag("issue-4")
class DcmtkScpTest {
    private static final String AE = "MEDVEIL";
    private final Map<String, ReceivedCopy> received = new ConcurrentHashMap<>();
    private int byteIdentical;
    private StorageScp scp;

    /** What the handler saw, copied because the spool file is deleted after the handler returns. */
    record ReceivedCopy(String callingAe, String host, TransferSyntax ts, byte[] bytes, DataSet dataSet) {}

    @BeforeEach
    void start() throws Exception {
        scp = new StorageScp(ScpConfig.of(AE, 0).withBindAddress("127.0.0.1").withArtim(Duration.ofMillis(800))
                .withAllowedCallingAes(Set.of("STORESCU", "ECHOSCU", "DCMSEND")),
                o -> received.put(o.sopInstanceUid(), new ReceivedCopy(o.callingAe(), o.remoteHost(), o.transferSyntax(),
                        Files.readAllBytes(o.dataSetFile()), o.dataSet()))).start();
    }

    @AfterEach
    void stop() { scp.close(); }

    private String[] echo(String callingAe, String calledAe) throws Exception {
        return Environment.run(List.of(Environment.tool("echoscu").toString(), "-aet", callingAe, "-aec", calledAe,
                "127.0.0.1", Integer.toString(scp.port())));
    }

    @Test
    void echoscuGetsAnEchoResponse() throws Exception {
        assertEquals("0", echo("ECHOSCU", AE)[0]);
    }

    @Test
    @Tag("REQ-TX-3")
    void callingAeOutsideTheAllowListAndWrongCalledAeAreRejected() throws Exception {
        String[] wrongCaller = echo("INTRUDER", AE);
        assertNotEquals("0", wrongCaller[0]);
        assertTrue((wrongCaller[1] + wrongCaller[2]).contains("Calling AE Title Not Recognized"), wrongCaller[2]);
        String[] wrongCalled = echo("ECHOSCU", "SOMEONE");
        assertNotEquals("0", wrongCalled[0]);
        assertTrue((wrongCalled[1] + wrongCalled[2]).contains("Called AE Title Not Recognized"), wrongCalled[2]);
    }

    /**
     * Corpus files a storage SCP should take: parsed by us, with a storage SOP class and a known
     * syntax, and a SOP Instance UID (a C-STORE-RQ must name one). Left out: DICOMDIRs (not a
     * storage class) and the few test files that lack SOP class or instance UIDs.
     */
    static List<Path> sendable() throws Exception {
        Set<String> storage = Set.copyOf(Uids.standard().storageSopClasses());
        List<Path> out = new ArrayList<>();
        for (Path p : Environment.corpus()) {
            try {
                DicomFile f = new DicomReader().read(p);
                String cls = f.meta().getString(org.medveil.dicom.Tag.MediaStorageSOPClassUID);
                if (cls == null) { // no meta header: the data set names its class
                    cls = f.dataSet().getString(org.medveil.dicom.Tag.SOPClassUID);
                }
                if (cls != null && storage.contains(cls) && f.transferSyntax().isKnown()
                        && f.dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID) != null) {
                    out.add(p);
                }
            } catch (java.io.IOException e) {
                // refused files are covered by CorpusTest
            }
        }
        return out;
    }

    @Test
    void storescuSendsTheCorpusAndEveryDataSetArrivesByteForByte() throws Exception {
        Path storescu = Environment.tool("storescu");
        List<Path> files = sendable();
        assertTrue(files.size() > 50, "expected most of the corpus to be sendable, got " + files.size());
        for (Path p : files) {
            received.clear();
            String[] r = Environment.run(List.of(storescu.toString(), "-R", ArrivalCheck.proposeOption(p), "-aet", "STORESCU", "-aec", AE,
                    "127.0.0.1", Integer.toString(scp.port()), p.toString()));
            assertEquals("0", r[0], "storescu failed for " + p.getFileName() + ": " + r[2]);
            byteIdentical += ArrivalCheck.assertArrivedUnchanged(p, "STORESCU", received, true) ? 1 : 0;
        }
        System.out.println("storescu sent " + files.size() + " files, " + byteIdentical + " compared byte for byte");
        // files dcmtk sends without re-encoding must arrive byte for byte
        assertTrue(byteIdentical >= 40, "only " + byteIdentical + " files compared byte for byte");
    }

    @Test
    void dcmsendSendsTheCorpusInOneAssociation() throws Exception {
        Path dcmsend = Environment.tool("dcmsend");
        // one association, so SOP instances must be unique (several corpus files share UIDs)
        Map<String, Path> unique = new java.util.LinkedHashMap<>();
        for (Path p : sendable()) {
            unique.putIfAbsent(new DicomReader(DicomReader.Options.HEADERS).read(p).dataSet()
                    .getString(org.medveil.dicom.Tag.SOPInstanceUID), p);
        }
        List<String> cmd = new ArrayList<>(List.of(dcmsend.toString(), "+f", "-dn", "-aet", "DCMSEND", "-aec", AE,
                "127.0.0.1", Integer.toString(scp.port())));
        unique.values().forEach(p -> cmd.add(p.toString()));
        String[] r = Environment.run(cmd);
        assertEquals("0", r[0], "dcmsend failed: " + r[2]);
        assertEquals(unique.size(), received.size());
        for (Path p : unique.values()) {
            ArrivalCheck.assertArrivedUnchanged(p, "DCMSEND", received, false);
        }
    }

    @Test
    void severalAssociationsAtOnce() throws Exception {
        Path storescu = Environment.tool("storescu");
        List<Path> files = new ArrayList<>();
        for (Path p : sendable()) {
            if (files.size() < 8 && ArrivalCheck.proposeOption(p).equals("-xe")) {
                files.add(p);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String[]>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                List<String> cmd = new ArrayList<>(List.of(storescu.toString(), "-R", "-aet", "STORESCU", "-aec", AE,
                        "127.0.0.1", Integer.toString(scp.port())));
                cmd.add(files.get(2 * i).toString());
                cmd.add(files.get(2 * i + 1).toString());
                runs.add(pool.submit(() -> Environment.run(cmd)));
            }
            for (Future<String[]> f : runs) {
                assertEquals("0", f.get()[0], f.get()[2]);
            }
        } finally {
            pool.shutdownNow();
        }
        for (Path p : files) {
            assertTrue(received.containsKey(new DicomReader().read(p).dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID)));
        }
    }

    @Test
    void malformedPduAbortsOnlyThatAssociation() throws Exception {
        try (Socket s = new Socket("127.0.0.1", scp.port())) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 'G', 'A', 'R', 'B'});
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals(Pdu.ABORT, in.read(), "expected an A-ABORT for a truncated A-ASSOCIATE-RQ");
        }
        try (Socket s = new Socket("127.0.0.1", scp.port())) {
            s.getOutputStream().write(new byte[] {0x01, 0x00, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
            assertEquals(Pdu.ABORT, s.getInputStream().read(), "a 2 GiB PDU length must be refused, not allocated");
        }
        assertEquals("0", echo("ECHOSCU", AE)[0], "the server must survive malformed PDUs");
        assertEquals(2, scp.abortedCount());
    }

    @Test
    @Tag("REQ-TX-3")
    void hostOutsideTheAllowListIsRejected() throws Exception {
        scp.close();
        scp = new StorageScp(ScpConfig.of(AE, 0).withBindAddress("127.0.0.1").withAllowedHosts(Set.of("10.9.8.7")),
                o -> { }).start();
        String[] r = echo("ECHOSCU", AE);
        assertNotEquals("0", r[0]);
        assertTrue((r[1] + r[2]).contains("Association Rejected"), r[2]);
    }

    @Test
    void associationsBeyondTheLimitAreRejectedTransiently() throws Exception {
        scp.close();
        scp = new StorageScp(ScpConfig.of(AE, 0).withBindAddress("127.0.0.1").withMaxAssociations(1)
                .withArtim(Duration.ofSeconds(5)), o -> { }).start();
        try (Socket holder = new Socket("127.0.0.1", scp.port())) { // occupies the only slot until ARTIM
            Thread.sleep(200);
            String[] r = echo("ECHOSCU", AE);
            assertNotEquals("0", r[0]);
            assertTrue((r[1] + r[2]).contains("Local Limit Exceeded"), r[1] + r[2]);
        }
    }

    @Test
    void objectsAboveTheSizeLimitAbortTheAssociationAndAreNotStored() throws Exception {
        scp.close();
        scp = new StorageScp(ScpConfig.of(AE, 0).withBindAddress("127.0.0.1").withMaxObjectBytes(4096),
                o -> { }).start();
        String[] r = Environment.run(List.of(Environment.tool("storescu").toString(), "-R", "-aec", AE, "127.0.0.1",
                Integer.toString(scp.port()), Environment.corpusFile("test_files/CT_small.dcm").toString()));
        assertNotEquals("0", r[0]);
        assertEquals(0, scp.storedCount());
        assertEquals(1, scp.abortedCount());
        assertEquals("0", echo("ECHOSCU", AE)[0]);
    }

    @Test
    void silentPeerIsCutOffByArtim() throws Exception {
        try (Socket s = new Socket("127.0.0.1", scp.port())) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            long t0 = System.nanoTime();
            int first = in.read();
            assertTrue(first == Pdu.ABORT || first == -1, "expected an abort or close, got " + first);
            assertTrue(System.nanoTime() - t0 < 4_000_000_000L, "ARTIM (0.8 s) did not fire");
        }
        assertEquals("0", echo("ECHOSCU", AE)[0]);
    }

    @Test
    void failingHandlerMeansFailureStatusNotSuccess() throws Exception {
        scp.close();
        scp = new StorageScp(ScpConfig.of(AE, 0).withBindAddress("127.0.0.1"), o -> {
            throw new java.io.IOException("disk full");
        }).start();
        Path file = Environment.corpusFile("test_files/CT_small.dcm");
        String[] r = Environment.run(List.of(Environment.tool("storescu").toString(), "-v", "-R", "-aec", AE,
                "127.0.0.1", Integer.toString(scp.port()), file.toString()));
        assertTrue((r[1] + r[2]).contains("Refused: OutOfResources"), r[1] + r[2]);
        assertNotEquals("0", r[0]);
        assertEquals(0, scp.storedCount());
    }

    @Test
    void directoryStoreFileIsThereWhenSuccessIsAnswered() throws Exception {
        Path dir = Files.createTempDirectory("medveil-scp-out");
        scp.close();
        scp = new StorageScp(ScpConfig.of(AE, 0).withBindAddress("127.0.0.1"), new DirectoryStore(dir)).start();
        Path file = Environment.corpusFile("test_files/CT_small.dcm");
        String[] r = Environment.run(List.of(Environment.tool("storescu").toString(), "-R", "-aec", AE,
                "127.0.0.1", Integer.toString(scp.port()), file.toString()));
        assertEquals("0", r[0], r[2]);
        DicomFile sent = new DicomReader().read(file);
        Path stored = dir.resolve(DirectoryStore.fileName(sent.dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID)));
        assertTrue(Files.exists(stored));
        DicomFile back = new DicomReader().read(stored);
        ArrivalCheck.normalize(sent.dataSet());
        ArrivalCheck.normalize(back.dataSet());
        assertEquals(null, org.medveil.dicom.DataSetDiff.first(sent.dataSet(), back.dataSet()));
        assertEquals("STORESCU", back.meta().getString(org.medveil.dicom.Tag.SourceApplicationEntityTitle));
        try (var s = Files.list(dir)) {
            assertFalse(s.anyMatch(x -> x.getFileName().toString().endsWith(".part")), "temporary files left behind");
        }
    }

    private String[] storescu(Path file, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Environment.tool("storescu").toString(), "-d", "-R"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-aec", AE, "127.0.0.1", Integer.toString(scp.port()), file.toString()));
        return Environment.run(cmd);
    }

    /** Issue 9 part 3: a stored object is never replaced; a retry is success, a conflicting object a refusal. */
    @Test
    @Tag("issue-9")
    void directoryStoreNeverReplacesAStoredObject() throws Exception {
        Path dir = Files.createTempDirectory("medveil-scp-dup");
        scp.close();
        scp = new StorageScp(ScpConfig.of(AE, 0).withBindAddress("127.0.0.1"), new DirectoryStore(dir)).start();
        Path file = Environment.corpusFile("test_files/CT_small.dcm");
        Path stored = dir.resolve(DirectoryStore.fileName(
                new DicomReader().read(file).dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID)));
        String[] r = storescu(file);
        assertEquals("0", r[0], r[2]);
        byte[] first = Files.readAllBytes(stored);

        r = storescu(file); // the sender retries the same object
        assertEquals("0", r[0], r[2]);
        assertTrue((r[1] + r[2]).contains("DIMSE Status                  : 0x0000: Success"), r[1] + r[2]);
        assertArrayEquals(first, Files.readAllBytes(stored), "a retry must not rewrite the stored file");

        Path implicit = dir.resolveSibling(dir.getFileName() + "-implicit.dcm"); // same data set, another syntax
        assertEquals("0", Environment.run(List.of(Environment.tool("dcmconv").toString(), "+ti", file.toString(),
                implicit.toString()))[0]);
        r = storescu(implicit, "-xi");
        assertEquals("0", r[0], r[2]);
        assertArrayEquals(first, Files.readAllBytes(stored));

        Path other = dir.resolveSibling(dir.getFileName() + "-other.dcm"); // another patient under the same UID
        Files.copy(file, other);
        assertEquals("0", Environment.run(List.of(Environment.tool("dcmodify").toString(), "-nb", "-m",
                "PatientID=OTHER-4711", other.toString()))[0]);
        r = storescu(other);
        assertNotEquals("0", r[0], "a different object under a stored UID must not be answered success");
        assertTrue((r[1] + r[2]).contains("0xa770"), "status 0xA770 expected: " + r[1] + r[2]);
        assertTrue((r[1] + r[2]).contains(DirectoryStore.DUPLICATE_COMMENT), "error comment expected: " + r[1] + r[2]);
        assertArrayEquals(first, Files.readAllBytes(stored), "the stored object must stay as it was");
        try (var s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of(stored.getFileName().toString()), names, "one file, no second copy, no temporary file");
        }
        assertEquals(3, scp.storedCount(), "first store, retry and re-encoded retry succeed; the conflict does not");
    }

    /** Two associations race to store different objects under one UID: exactly one is stored, the other refused. */
    @Test
    @Tag("issue-9")
    void concurrentConflictingStoresKeepExactlyOne() throws Exception {
        Path dir = Files.createTempDirectory("medveil-scp-race");
        scp.close();
        scp = new StorageScp(ScpConfig.of(AE, 0).withBindAddress("127.0.0.1"), new DirectoryStore(dir)).start();
        Path file = Environment.corpusFile("test_files/CT_small.dcm");
        List<Path> variants = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path v = dir.resolveSibling(dir.getFileName() + "-" + i + ".dcm");
            Files.copy(file, v);
            assertEquals("0", Environment.run(List.of(Environment.tool("dcmodify").toString(), "-nb", "-m",
                    "PatientID=RACE-" + i, v.toString()))[0]);
            variants.add(v);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<String[]> results = new ArrayList<>();
        try {
            List<Future<String[]>> runs = new ArrayList<>();
            for (Path v : variants) {
                runs.add(pool.submit(() -> storescu(v)));
            }
            for (Future<String[]> f : runs) {
                results.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        long ok = results.stream().filter(r -> r[0].equals("0")).count();
        assertEquals(1, ok, "exactly one of four conflicting objects is stored");
        Path stored;
        try (var s = Files.list(dir)) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), "one file and no temporary file: " + files);
            stored = files.get(0);
        }
        String winner = new DicomReader().read(stored).dataSet().getString(org.medveil.dicom.Tag.PatientID);
        int w = Integer.parseInt(winner.substring("RACE-".length()));
        assertEquals("0", results.get(w)[0], "the stored object is the one that was answered success");
    }
}
