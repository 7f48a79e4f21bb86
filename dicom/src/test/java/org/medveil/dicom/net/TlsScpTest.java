package org.medveil.dicom.net;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.Environment;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Optional TLS: the SCP takes the caller's SSLContext (the site certificate comes from another
 * module). Keys are made by openssl, the peer is dcmtk's echoscu with mutual TLS.
 */
@Tag("issue-4")
@Tag("REQ-TX-4")
class TlsScpTest {

    @Test
    void echoOverMutualTlsAndPlainTcpIsRefused(@TempDir Path dir) throws Exception {
        String openssl = Environment.tool("openssl").toString();
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        Path p12 = dir.resolve("site.p12");
        assertEquals("0", Environment.run(List.of(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-subj", "/CN=localhost", "-days", "1"))[0]);
        assertEquals("0", Environment.run(List.of(openssl, "pkcs12", "-export", "-in", cert.toString(), "-inkey",
                key.toString(), "-out", p12.toString(), "-passout", "pass:test"))[0]);

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "test".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "test".toCharArray());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("peer", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);

        try (StorageScp scp = new StorageScp(ScpConfig.of("MEDVEIL", 0).withBindAddress("127.0.0.1").withTls(ctx, true),
                o -> { }).start()) {
            String echoscu = Environment.tool("echoscu").toString();
            String port = Integer.toString(scp.port());
            String[] tls = Environment.run(List.of(echoscu, "-aec", "MEDVEIL", "+tls", key.toString(), cert.toString(),
                    "+cf", cert.toString(), "127.0.0.1", port));
            assertEquals("0", tls[0], "C-ECHO over TLS failed: " + tls[1] + tls[2]);
            String[] plain = Environment.run(List.of(echoscu, "-aec", "MEDVEIL", "-to", "5", "-ta", "5", "127.0.0.1", port));
            assertNotEquals("0", plain[0], "plain TCP must not get through a TLS listener");
        }
    }
}
