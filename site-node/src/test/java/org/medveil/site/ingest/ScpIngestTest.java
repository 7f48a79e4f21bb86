package org.medveil.site.ingest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.net.ScpConfig;
import org.medveil.dicom.net.StorageScp;
import org.medveil.testsupport.External;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dcmtk's storescu against a real StorageScp on loopback whose handler is the ingest pipeline. */
class ScpIngestTest {
    @TempDir
    Path dir;

    private final MemorySink sink = new MemorySink();
    private StorageScp scp;

    @BeforeEach
    void start() throws Exception {
        IngestPipeline p = Pipelines.create(dir, Pipelines.modalities("CT"), ConsentLookup.NONE, sink, IngestRecorder.NONE);
        scp = new StorageScp(ScpConfig.of("MEDVEIL", 0).withBindAddress("127.0.0.1").withArtim(Duration.ofSeconds(5))
                .withAllowedCallingAes(Set.of("STORESCU")), new ScpIngest(p)).start();
    }

    @AfterEach
    void stop() {
        scp.close();
    }

    private External.Result send(String file) throws Exception {
        Path storescu = External.tool("storescu", "dcmtk");
        List<String> cmd = new ArrayList<>(List.of(storescu.toString(), "-d", "-R", "-aet", "STORESCU", "-aec", "MEDVEIL",
                "127.0.0.1", Integer.toString(scp.port()), Pipelines.testFile(file).toString()));
        return External.run(cmd);
    }

    private static String text(External.Result r) {
        return r.out(StandardCharsets.UTF_8) + r.err(StandardCharsets.UTF_8);
    }

    @Test
    @Tag("REQ-ACQ-5")
    void successIsAnsweredOnlyAfterTheSinkReturnedAndProvenanceNamesTheAssociation() throws Exception {
        sink.delayMillis = 700; // a sink slower than the SCP: the answer must still wait for it
        External.Result r = send("CT_small.dcm");
        assertEquals(0, r.exit(), text(r));
        // storescu has its success response: the object must already be in the sink
        assertEquals(1, sink.objects.size(), "success answered before the sink had stored the object");
        IngestOutcome.Accepted a = sink.objects.values().iterator().next();
        assertEquals(Source.Channel.SCP, a.provenance().source().channel());
        assertEquals("STORESCU", a.provenance().source().callingAe());
        assertEquals("127.0.0.1", a.provenance().source().remoteHost());
        assertEquals("CT", a.provenance().modality());
        var sent = new DicomReader().read(Pipelines.testFile("CT_small.dcm")).dataSet();
        var kept = new DicomReader().read(a.original()).dataSet();
        for (int tag : new int[] {org.medveil.dicom.Tag.SOPInstanceUID, org.medveil.dicom.Tag.PatientID,
                org.medveil.dicom.Tag.PixelData}) {
            assertTrue(java.util.Arrays.equals(sent.getBytes(tag), kept.getBytes(tag)), "the original is the object as sent");
        }
    }

    @Test
    @Tag("REQ-ACQ-1")
    void outOfProfileObjectIsRefusedWithAPhiFreeStatus() throws Exception {
        External.Result r = send("MR_small.dcm");
        String out = text(r);
        assertNotEquals(0, r.exit());
        assertTrue(out.toLowerCase().contains("0xa771"), "status 0xA771 expected: " + out);
        assertTrue(out.contains("modality MR not in the ingest profile"), "error comment expected: " + out);
        assertEquals(0, sink.objects.size());
        assertEquals(1, sink.refusals.size());
        assertEquals("modality MR not in the ingest profile", sink.refusals.get(0).reason());
    }

    @Test
    void aFailingSinkIsAFailureStatusAndNothingIsStored() throws Exception {
        sink.fail.set(true);
        External.Result r = send("CT_small.dcm");
        String out = text(r);
        assertNotEquals(0, r.exit());
        assertTrue(out.contains("0xa700: Refused: Out of resources"), "failure status expected: " + out);
        assertEquals(0, sink.objects.size());
        assertNotEquals(0, scp.port());
    }

    @Test
    void scpSettingsFromSiteYamlAndTlsNeedsTheKitContext() {
        var s = new org.medveil.site.config.SiteConfig.ScpSettings(true, "SITE1", "127.0.0.1", 11112, Set.of("CT01"),
                Set.of("10.0.0.5"), false, null);
        ScpConfig c = ScpIngest.scpConfig(s, null);
        assertEquals("SITE1", c.aeTitle());
        assertEquals(11112, c.port());
        assertEquals(Set.of("CT01"), c.allowedCallingAes());
        assertEquals(Set.of("10.0.0.5"), c.allowedHosts());
        assertEquals(null, c.tls());
        var tls = new org.medveil.site.config.SiteConfig.ScpSettings(true, "SITE1", "127.0.0.1", 11112, Set.of(), Set.of(), true, null);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ScpIngest.scpConfig(tls, null));
        assertTrue(e.getMessage().contains("scp.tls"), e.getMessage());
    }

    @Test
    @Tag("REQ-TX-4")
    void overTlsWithTheSiteKitOnlySendersWithATrustedCertificateGetIn() throws Exception {
        Path storescu = External.tool("storescu", "dcmtk");
        Path openssl = External.tool("openssl", "openssl");
        org.medveil.governance.pki.Provisioner.init(new org.medveil.governance.pki.ProjectSpec("demo", "localhost:8443",
                null, null, List.of("hospital-a"), null), dir.resolve("prov"), java.time.Clock.systemUTC());
        var kit = org.medveil.governance.pki.Kit.load(dir.resolve("prov/sites/hospital-a"));
        Path modalityKey = dir.resolve("modality.key");
        Path modalityCert = dir.resolve("modality.pem");
        assertEquals(0, External.run(List.of(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", modalityKey.toString(), "-out", modalityCert.toString(),
                "-subj", "/CN=ct-scanner", "-days", "1")).exit());
        var settings = new org.medveil.site.config.SiteConfig.ScpSettings(true, "MEDVEIL", "127.0.0.1", 0, Set.of(),
                Set.of(), true, modalityCert);
        IngestPipeline p = Pipelines.create(dir.resolve("tls"), Pipelines.modalities("CT"), ConsentLookup.NONE, sink,
                IngestRecorder.NONE);
        try (StorageScp tlsScp = new StorageScp(ScpIngest.scpConfig(settings, ScpTls.context(kit, modalityCert)),
                new ScpIngest(p)).start()) {
            String port = Integer.toString(tlsScp.port());
            String ca = dir.resolve("prov/sites/hospital-a/ca.pem").toString();
            External.Result ok = External.run(List.of(storescu.toString(), "-aec", "MEDVEIL", "+tls", modalityKey.toString(),
                    modalityCert.toString(), "+cf", ca, "127.0.0.1", port, Pipelines.testFile("CT_small.dcm").toString()));
            assertEquals(0, ok.exit(), text(ok));
            assertEquals(1, sink.objects.size(), "stored over TLS");
            External.Result anonymous = External.run(List.of(storescu.toString(), "-aec", "MEDVEIL", "-to", "5", "-ta", "5",
                    "+tla", "+cf", ca, "127.0.0.1", port, Pipelines.testFile("CT_small.dcm").toString()));
            assertTrue(anonymous.exit() != 0, "a sender without a certificate is refused: " + text(anonymous));
            External.Result plain = External.run(List.of(storescu.toString(), "-aec", "MEDVEIL", "-to", "5", "-ta", "5",
                    "127.0.0.1", port, Pipelines.testFile("CT_small.dcm").toString()));
            assertTrue(plain.exit() != 0, "plain TCP is refused: " + text(plain));
            assertEquals(1, sink.objects.size(), "nothing else got in");
        }
    }
}
