package org.medveil.cli.dicom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.CliRun;
import org.medveil.dicom.net.ScpConfig;
import org.medveil.dicom.net.StorageScp;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 'medveil dicom scp --tls-kit/--tls-trust': the SCP presents the site kit's certificate and,
 * with a trust file, admits only senders whose certificate chains to it. The sender is dcmtk's
 * echoscu with a certificate made by openssl.
 */
@Tag("REQ-TX-4")
class ScpTlsTest {

    @TempDir
    Path dir;

    @Test
    void echoOverTlsWithTheSiteKitAndARequiredSenderCertificate() throws Exception {
        Path echoscu = ExternalTools.tool("echoscu");
        Path openssl = ExternalTools.tool("openssl");
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"), null),
                dir.resolve("prov"), Clock.systemUTC());
        Path kit = dir.resolve("prov/sites/hospital-a");
        Path modalityKey = dir.resolve("modality.key");
        Path modalityCert = dir.resolve("modality.pem");
        assertEquals(0, ExternalTools.run(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", modalityKey.toString(), "-out", modalityCert.toString(),
                "-subj", "/CN=ct-scanner", "-days", "1"));

        ScpConfig config = ScpConfig.of("MEDVEIL", 0).withBindAddress("127.0.0.1")
                .withTls(ScpCommand.tlsContext(kit, modalityCert), true);
        try (StorageScp scp = new StorageScp(config, o -> { }).start()) {
            String port = Integer.toString(scp.port());
            String ca = kit.resolve("ca.pem").toString();
            assertEquals(0, ExternalTools.run(echoscu.toString(), "-aec", "MEDVEIL", "+tls", modalityKey.toString(),
                    modalityCert.toString(), "+cf", ca, "127.0.0.1", port), "C-ECHO over TLS with a trusted sender");
            assertNotEquals(0, ExternalTools.run(echoscu.toString(), "-aec", "MEDVEIL", "-to", "5", "-ta", "5",
                    "+tla", "+cf", ca, "127.0.0.1", port), "a sender without a certificate is refused");
            assertNotEquals(0, ExternalTools.run(echoscu.toString(), "-aec", "MEDVEIL", "-to", "5", "-ta", "5",
                    "127.0.0.1", port), "plain TCP is refused");
        }
    }

    @Test
    void trustWithoutAKitIsAUsageError() {
        CliRun r = CliRun.run("dicom", "scp", "--aet", "MEDVEIL", "--port", "0", "--out", dir.toString(),
                "--tls-trust", dir.resolve("ca.pem").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--tls-trust needs --tls-kit"), r.err());
    }
}
