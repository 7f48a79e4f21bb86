package org.medveil.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.io.DicomReader;
import org.medveil.site.store.LookupKeys;
import org.medveil.site.node.StoreSink;
import org.medveil.site.store.ObjectFilter;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteKeystore;
import org.medveil.site.store.StoreVerifier;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;
import org.medveil.testsupport.External;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The site node as hospital IT runs it: {@code site init}, a config edit, {@code site serve
 * --config} (no coordinator running: the site keeps retrying it and ingests meanwhile), objects
 * through the inbox, {@code storescu} and {@code dcmsend}, refusals, SIGTERM; then the store
 * verifies, the audit trail verifies with {@code medveil audit verify}, and no header or pixel
 * bytes of what was ingested are in any file under the site folder outside the inbox.
 */
class SiteNodeIT {

    private static final Path FILES = External.PYDICOM_TEST_FILES;

    @TempDir
    Path dir;
    private Process daemon;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Tag("REQ-ACQ-1")
    @Tag("REQ-ACQ-3")
    @Tag("REQ-ACQ-5")
    @Tag("REQ-ACQ-6")
    @Tag("REQ-USE-4")
    @DisplayName("site serve ingests through inbox, storescu and dcmsend into the encrypted store; refusals recorded; all verifies; no plaintext outside the inbox")
    void endToEnd() throws Exception {
        Path storescu = External.tool("storescu", "dcmtk");
        Path dcmsend = External.tool("dcmsend", "dcmtk");
        Path dcmodify = External.tool("dcmodify", "dcmtk");
        Path ct = External.pydicomTestFile("CT_small.dcm");
        Path mr = External.pydicomTestFile("MR_small.dcm");
        Path ot = External.pydicomTestFile("SC_rgb_small_odd.dcm");
        SiteFixture f = new SiteFixture(dir);
        f.set("port", Integer.toString(f.scpPort));
        f.set("modalities", "[CT, MR]");
        f.set("refuseWithoutConsent", "true");
        f.set("quietMillis", "300");
        f.set("rescanSeconds", "1");

        // An MR of a patient without consent: MR_small under another Patient ID and SOP Instance UID.
        Path unconsented = dir.resolve("unconsented.dcm");
        Files.copy(mr, unconsented);
        assertEquals(0, External.run(List.of(dcmodify.toString(), "-nb", "-m", "PatientID=NOCONSENT77",
                "-m", "PatientName=Nobody^Unconsented", "-m", "SOPInstanceUID=1.2.826.0.1.3680043.8.498.777001",
                unconsented.toString())).exit());

        Path out = dir.resolve("site.out");
        daemon = f.serve(out);
        await("SCP listening", () -> SiteFixture.read(out).contains("listening on"), out);

        // Consent through the operator command (the admin API pseudonymises the IDs on the site).
        Path consents = dir.resolve("consents.csv");
        Files.writeString(consents, "patient_id,purposes,joint_modeling,valid_from,expires\n"
                + header(ct).getString(0x00100020).strip() + ",research,yes,2020-01-01,\n"
                + header(mr).getString(0x00100020).strip() + ",research,yes,2020-01-01,\n");
        SiteFixture.Result imported = f.admin("site", "consent", "import", consents.toString());
        assertEquals(0, imported.code(), imported.out());

        Path inbox = f.site.resolve("inbox");
        Files.copy(ct, inbox.resolve("CT_small.dcm"));
        Files.copy(ot, inbox.resolve("SC_rgb_small_odd.dcm"));           // OT: out of profile
        External.Result sent = External.run(List.of(storescu.toString(), "-aec", "HOSPITAL-A", "localhost",
                Integer.toString(f.scpPort), mr.toString()));
        assertEquals(0, sent.exit(), sent.err(StandardCharsets.UTF_8));
        External.Result refused = External.run(List.of(dcmsend.toString(), "-v", "-aec", "HOSPITAL-A", "localhost",
                Integer.toString(f.scpPort), unconsented.toString()));
        String said = (refused.out(StandardCharsets.UTF_8) + refused.err(StandardCharsets.UTF_8)).toLowerCase();
        assertTrue(said.contains("with status refused  : 1"), "dcmsend should report a refusal status (0xA771, no consent): " + said);

        await("inbox emptied and the refused file set aside", () -> !Files.exists(inbox.resolve("CT_small.dcm"))
                && Files.exists(inbox.resolve(".refused/SC_rgb_small_odd.dcm")), out);
        await("unconsented object refused", () -> SiteFixture.read(out).contains("refus"), out);

        // Operator commands through the admin API while the daemon runs: labels keyed by the original
        // SOP Instance UIDs reach the originals and their derivatives; the store verifies.
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "sop_instance_uid,label\n" + header(ct).getString(0x00080018).strip() + ",1\n"
                + header(mr).getString(0x00080018).strip() + ",0\n" + "1.2.3.4.5.6.7.8.9,1\n");
        SiteFixture.Result labelled = f.admin("site", "labels", "import", labels.toString());
        assertEquals(0, labelled.code(), labelled.out());
        assertTrue(labelled.out().contains("3 row(s): 2 matched, 1 unmatched; 4 object(s) labelled"), labelled.out());
        SiteFixture.Result status = f.admin("site", "status");
        assertTrue(status.out().contains("objects: 2 originals, 2 derivatives"), status.out());
        assertTrue(status.out().contains("consents: 2;"), status.out());
        SiteFixture.Result verifyApi = f.admin("site", "verify");
        assertEquals(0, verifyApi.code(), verifyApi.out());
        assertTrue(verifyApi.out().contains("store intact: 4 object(s) checked"), verifyApi.out());

        daemon.destroy(); // SIGTERM
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), SiteFixture.read(out));
        assertEquals(143, daemon.exitValue(), "SIGTERM: the JVM exits 128+15 after the clean stop; " + SiteFixture.read(out));
        List<String> auditLines = Files.readAllLines(f.site.resolve("data/audit/audit-000001.jsonl"));
        assertTrue(auditLines.get(auditLines.size() - 1).contains("\"type\":\"checkpoint\""),
                "SIGTERM closes the audit log with a signed checkpoint: " + auditLines.get(auditLines.size() - 1));

        try (var ks = new Closing(f.keystore()); ObjectStore store = f.openStore(ks.ks)) {
            StoreVerifier.Report report = new StoreVerifier(store).verify();
            assertTrue(report.ok(), String.join("\n", report.lines()));
            LookupKeys keys = f.lookupKeys(ks.ks);
            StoreSink sink = new StoreSink(store, keys, "default");
            for (Path p : List.of(ct, mr)) {
                DataSet h = header(p);
                StoredObject original = sink.originalBySopKey(keys.sopKey(h.getString(0x00080018)));
                assertNotNull(original, p.getFileName() + " is not in the store");
                assertEquals(keys.patient(h.getString(0x00100020)), original.meta().patientKey());
                DataSet back = new DicomReader().read(store.read(original.id())).dataSet();
                assertEquals(h.getString(0x00080018), back.getString(0x00080018));
                List<StoredObject> derivatives = store.list(new ObjectFilter(StoredObjectKind.DERIVATIVE, null, null, null))
                        .stream().filter(d -> original.id().equals(d.meta().parentId())).toList();
                assertEquals(1, derivatives.size(), "one derivative of " + p.getFileName());
                DataSet deid = new DicomReader().read(store.read(derivatives.get(0).id())).dataSet();
                assertFalse(h.getString(0x00100020).equals(deid.getString(0x00100020)), "derivative keeps the Patient ID");
            }
            assertEquals(2, store.list(new ObjectFilter(StoredObjectKind.ORIGINAL, null, null, null)).size());
            // provenance (ACQ-5): channel, source without PHI, content digest of the bytes as received
            List<String> provenance = store.index().read(c -> {
                List<String> l = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT p.channel, p.source, p.content_digest = o.digest, o.modality FROM"
                        + " provenance p JOIN objects o ON o.id = p.object_id WHERE o.kind = 'original' ORDER BY p.channel");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        l.add(rs.getString(1) + " " + rs.getString(2).replaceAll("[0-9a-f]{64}", "HASH") + " "
                                + rs.getString(4) + " digest-matches=" + rs.getBoolean(3));
                    }
                }
                return l;
            });
            assertEquals(List.of("inbox inbox:HASH CT digest-matches=true",
                    "scp scp:STORESCU@127.0.0.1 MR digest-matches=true"), provenance);
            assertNull(sink.originalBySopKey(keys.sopKey("1.2.826.0.1.3680043.8.498.777001")), "unconsented object stored");
            Map<String, String> refusals = store.index().read(c -> {
                Map<String, String> m = new LinkedHashMap<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT digest, reason FROM refusals");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        m.put(rs.getString(1), rs.getString(2));
                    }
                }
                return m;
            });
            assertEquals(2, refusals.size(), refusals.toString());
            assertTrue(refusals.get(sha256(Files.readAllBytes(ot))).startsWith("OUT_OF_PROFILE: modality OT"), refusals.toString());
            assertTrue(refusals.values().stream().anyMatch(r -> r.startsWith("NO_CONSENT")), refusals.toString());
        }

        SiteFixture.Result verify = f.run("audit", "verify", "site/data/audit", "--ca", "prov/ca/ca.pem");
        assertEquals(0, verify.code(), verify.out());
        String trail = Files.readString(f.site.resolve("data/audit/audit-000001.jsonl"));
        for (String type : List.of("\"ingest\"", "\"deid\"", "\"refusal\"")) {
            assertTrue(trail.contains("\"type\":" + type), "no " + type + " record: " + trail);
        }

        // No plaintext header or pixel bytes anywhere under the site folder except the inbox.
        Map<String, byte[]> needles = new LinkedHashMap<>();
        for (Path p : List.of(ct, mr, unconsented)) {
            DataSet h = header(p);
            needles.put(p.getFileName() + " PatientName", h.getString(0x00100010).strip().getBytes(StandardCharsets.US_ASCII));
            needles.put(p.getFileName() + " PatientID", h.getString(0x00100020).strip().getBytes(StandardCharsets.US_ASCII));
            needles.put(p.getFileName() + " pixels", pixelRun(Files.readAllBytes(p)));
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(f.site)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.startsWith(inbox)).toList();
        }
        assertTrue(files.stream().anyMatch(p -> p.startsWith(f.site.resolve("data/objects"))), "no object files to check");
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            byte[] b = Files.readAllBytes(file);
            needles.forEach((what, needle) -> {
                if (indexOf(b, needle) >= 0) {
                    found.add(what + " in " + f.site.relativize(file));
                }
            });
        }
        assertEquals(List.of(), found);
    }

    @Test
    @DisplayName("site serve stops with one line and exit 3 when the keystore cannot be opened")
    void unreadableKeystoreStopsWithAReason() throws Exception {
        SiteFixture f = new SiteFixture(dir);
        f.set("port", Integer.toString(f.scpPort));
        Files.writeString(f.site.resolve("keys/keystore.pass"), "not-the-password\n");
        Process p = f.command("site", "serve", "--kit", "prov/sites/hospital-a", "--config", "site/site.yaml")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(3, p.exitValue(), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("medveil: error: ")).toList();
        assertEquals(1, lines.size(), out);
        assertTrue(lines.get(0).contains("cannot open the site keystore " + f.site.resolve("keys/site.p12")), out);
        assertTrue(lines.get(0).contains("keys/keystore.pass"), "names the password source: " + out);
        assertFalse(out.contains("not-the-password"), "never prints the password");
        assertFalse(out.contains("\tat "), "no stack trace: " + out);
    }

    /** Opens and closes a keystore-holding resource in try-with-resources. */
    private record Closing(SiteKeystore ks) implements AutoCloseable {
        @Override
        public void close() {
        }
    }

    private static void assertNull(Object o, String message) {
        if (o != null) {
            fail(message);
        }
    }

    static DataSet header(Path p) throws Exception {
        return new DicomReader(DicomReader.Options.HEADERS).read(p).dataSet();
    }

    /** 64 bytes of pixel data with many distinct values, from the end of the file (pixel data comes last). */
    static byte[] pixelRun(byte[] file) {
        for (int end = file.length; end - 64 >= file.length / 2; end -= 64) {
            byte[] run = java.util.Arrays.copyOfRange(file, end - 64, end);
            long distinct = java.util.stream.IntStream.range(0, 64).map(i -> run[i]).distinct().count();
            if (distinct >= 16) {
                return run;
            }
        }
        throw new AssertionError("no varied 64-byte run of pixel data found");
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private void await(String what, BooleanSupplier condition, Path log) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(end)) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (daemon != null && !daemon.isAlive()) {
                fail("site serve exited (" + daemon.exitValue() + ") while waiting for " + what + ":\n" + SiteFixture.read(log));
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for " + what + ":\n" + SiteFixture.read(log));
    }
}
