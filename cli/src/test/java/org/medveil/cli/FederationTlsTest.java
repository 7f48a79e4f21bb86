package org.medveil.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.coordinator.CoordinatorServer;
import org.medveil.coordinator.CoordinatorSettings;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.ListSitesRequest;
import org.medveil.proto.admin.SiteStatus;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.site.FederationClient;
import org.medveil.site.SiteSettings;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coordinator and site nodes over real TLS 1.3 on loopback, with certificates from a real
 * provisioning folder (REQ-TX-2, TX-3, USE-3).
 */
@Tag("REQ-TX-2")
@Tag("REQ-TX-3")
@Tag("REQ-USE-3")
class FederationTlsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SECURITY_LOG = "org.medveil.coordinator.security";

    @TempDir
    Path dir;
    private Provisioner provisioner;
    private CoordinatorServer coordinator;
    private final List<AutoCloseable> closeMe = new ArrayList<>();
    private LogCapture security;

    @BeforeEach
    void setUp() {
        provisioner = Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null,
                List.of("hospital-a", "hospital-b"),
                List.of(new ProjectSpec.User("admin", "project-admin"), new ProjectSpec.User("rita", "researcher"))),
                dir, Clock.systemUTC());
        security = new LogCapture(SECURITY_LOG);
        coordinator = startCoordinator(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeMe) {
            c.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        security.close();
    }

    private CoordinatorServer startCoordinator(int port) {
        CoordinatorSettings s = CoordinatorSettings.DEFAULTS.withListen("127.0.0.1:" + port).withHeartbeatSeconds(1);
        return CoordinatorServer.start(Kit.load(dir.resolve("coordinator")), s, Clock.systemUTC());
    }

    private FederationClient startSite(String name) {
        FederationClient c = FederationClient.start(Kit.load(dir.resolve("sites").resolve(name)),
                SiteSettings.DEFAULTS.withCoordinator("localhost:" + coordinator.port()).withBackoff(100, 1000));
        closeMe.add(c);
        return c;
    }

    private List<SiteStatus> listSites(String user) throws Exception {
        ManagedChannel ch = RawClient.channel(dir.resolve("users").resolve(user), dir.resolve("ca/ca.pem"),
                coordinator.port());
        try {
            return AdminGrpc.newBlockingStub(ch).listSites(ListSitesRequest.getDefaultInstance()).getSitesList();
        } finally {
            ch.shutdownNow();
        }
    }

    private SiteStatus.ConnectionState stateOf(String site) {
        try {
            return listSites("admin").stream().filter(s -> s.getName().equals(site)).findFirst()
                    .map(SiteStatus::getState).orElse(SiteStatus.ConnectionState.CONNECTION_STATE_UNSPECIFIED);
        } catch (Exception e) {
            return SiteStatus.ConnectionState.CONNECTION_STATE_UNSPECIFIED;
        }
    }

    private String sitesListCli(String userKit) {
        CliRun r = CliRun.run("sites", "list", "--kit", dir.resolve(userKit).toString(),
                "--coordinator", "localhost:" + coordinator.port());
        return r.exit() + "\n" + r.out() + r.err();
    }

    @Test
    @DisplayName("a provisioned site connects, heartbeats, and appears in 'sites list'")
    void provisionedSiteConnectsAndIsListed() throws Exception {
        FederationClient a = startSite("hospital-a");
        FederationClient b = startSite("hospital-b");
        Await.until("both sites connected", WAIT, () -> a.state() == FederationClient.State.CONNECTED
                && b.state() == FederationClient.State.CONNECTED);
        Await.until("a heartbeat acknowledged", WAIT, () -> a.lastAck() != null);
        String out = sitesListCli("users/admin");
        assertTrue(out.startsWith("0\n"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("hospital-a") && l.contains("connected")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("hospital-b") && l.contains("connected")), out);
        SiteStatus s = listSites("rita").stream().filter(x -> x.getName().equals("hospital-a")).findFirst().orElseThrow();
        assertEquals(Kit.load(dir.resolve("sites/hospital-a")).fingerprint(), s.getCertificateFingerprint());
        assertTrue(s.hasLastHeartbeat());
    }

    @Test
    @DisplayName("a site whose certificate comes from another CA is refused at the handshake and logged")
    void foreignCaIsRefused(@TempDir Path other) throws Exception {
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"), null),
                other, Clock.systemUTC());
        // A forged kit: the other CA's certificate, trusting our coordinator.
        Object r = RawClient.hello(RawClient.channel(other.resolve("sites/hospital-a"), dir.resolve("ca/ca.pem"),
                coordinator.port()), "hospital-a");
        assertInstanceOf(Status.class, r);
        assertEquals(Status.Code.UNAVAILABLE, ((Status) r).getCode());
        String fp = Kit.load(other.resolve("sites/hospital-a")).fingerprint();
        Await.until("refusal log line", WAIT, () -> security.contains("CA other than this project's", fp));
        assertServerStillServes();
    }

    @Test
    @DisplayName("an expired site certificate is refused and logged")
    void expiredIsRefused() throws Exception {
        Instant past = Instant.now().minus(Duration.ofDays(30));
        Path kit = provisioner.add(Identity.site("demo", "old-site"), past, past.plus(Duration.ofDays(1)));
        Object r = RawClient.hello(RawClient.channel(kit, dir.resolve("ca/ca.pem"), coordinator.port()), "old-site");
        assertInstanceOf(Status.class, r);
        String fp = Kit.load(kit).fingerprint();
        Await.until("refusal log line", WAIT, () -> security.contains("expired", fp));
        assertServerStillServes();
    }

    @Test
    @DisplayName("a revoked site is refused; a connected site whose certificate gets revoked is disconnected")
    void revokedIsRefusedAndDropped() throws Exception {
        FederationClient b = startSite("hospital-b");
        Await.until("hospital-b connected", WAIT, () -> b.state() == FederationClient.State.CONNECTED);
        String fp = Kit.load(dir.resolve("sites/hospital-b")).fingerprint();
        provisioner.revoke("hospital-b");
        Await.until("revoked site disconnected", WAIT,
                () -> stateOf("hospital-b") == SiteStatus.ConnectionState.DISCONNECTED);
        Await.until("refusal log line", WAIT, () -> security.contains("revoked", fp));
        Object r = RawClient.hello(RawClient.channel(dir.resolve("sites/hospital-b"), dir.resolve("ca/ca.pem"),
                coordinator.port()), "hospital-b");
        assertInstanceOf(Status.class, r);
        assertNotEquals(FederationClient.State.CONNECTED, b.state());
        assertServerStillServes();
    }

    @Test
    @DisplayName("a user certificate where a site one is required is refused: researchers cannot call site-only RPCs")
    void userCannotOpenASiteSession() throws Exception {
        Object r = RawClient.hello(RawClient.channel(dir.resolve("users/rita"), dir.resolve("ca/ca.pem"),
                coordinator.port()), "rita");
        assertInstanceOf(Status.class, r);
        assertEquals(Status.Code.PERMISSION_DENIED, ((Status) r).getCode());
        assertTrue(((Status) r).getDescription().contains("requires a site certificate"), ((Status) r).getDescription());
        String fp = Kit.load(dir.resolve("users/rita")).fingerprint();
        assertTrue(security.contains("Federation/Session", "user rita (researcher)", fp), security.lines().toString());
        assertServerStillServes();
    }

    @Test
    @DisplayName("a site cannot call admin RPCs")
    void siteCannotCallAdmin() throws Exception {
        ManagedChannel ch = RawClient.channel(dir.resolve("sites/hospital-a"), dir.resolve("ca/ca.pem"),
                coordinator.port());
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> AdminGrpc.newBlockingStub(ch).listSites(ListSitesRequest.getDefaultInstance()));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        } finally {
            ch.shutdownNow();
        }
        String out = sitesListCli("sites/hospital-a");
        assertTrue(out.startsWith("1\n") && out.contains("PERMISSION_DENIED"), out);
    }

    @Test
    @DisplayName("a site that claims another site's name in its hello is refused")
    void helloNameMustMatchCertificate() throws Exception {
        Object r = RawClient.hello(RawClient.channel(dir.resolve("sites/hospital-a"), dir.resolve("ca/ca.pem"),
                coordinator.port()), "hospital-b");
        // The coordinator says goodbye first, then ends the stream with PERMISSION_DENIED.
        assertInstanceOf(CoordinatorMessage.class, r);
        assertTrue(((CoordinatorMessage) r).hasGoodbye());
        assertTrue(security.contains("hello claims another name"), security.lines().toString());
        assertEquals(SiteStatus.ConnectionState.CONNECTION_STATE_UNSPECIFIED, stateOf("hospital-b"));
    }

    @Test
    @DisplayName("a site reconnects after the coordinator restarts")
    void reconnectsAfterCoordinatorRestart() {
        FederationClient a = startSite("hospital-a");
        Await.until("first session", WAIT, () -> a.sessionsOpened() == 1);
        String first = a.sessionId();
        int port = coordinator.port();
        coordinator.close();
        coordinator = null;
        Await.until("site notices the coordinator is gone", WAIT, () -> a.state() != FederationClient.State.CONNECTED);
        coordinator = startCoordinator(port);
        Await.until("second session", WAIT, () -> a.sessionsOpened() == 2 && a.state() == FederationClient.State.CONNECTED);
        assertNotEquals(first, a.sessionId());
        assertEquals(SiteStatus.ConnectionState.CONNECTED, stateOf("hospital-a"));
    }

    @Test
    @DisplayName("a known site is listed as disconnected after a coordinator restart until it reconnects")
    void registrySurvivesRestart() {
        FederationClient a = startSite("hospital-a");
        Await.until("connected", WAIT, () -> a.state() == FederationClient.State.CONNECTED);
        a.close();
        int port = coordinator.port();
        coordinator.close();
        coordinator = startCoordinator(port);
        assertEquals(SiteStatus.ConnectionState.DISCONNECTED, stateOf("hospital-a"));
    }

    private javax.net.ssl.SSLSocket socketTrustingProjectCa(Path clientKit) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", Kit.load(dir.resolve("coordinator")).caCertificate());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(clientKit == null ? null : org.medveil.governance.pki.TlsMaterial.keyManagers(Kit.load(clientKit))
                .getKeyManagers(), tmf.getTrustManagers(), null);
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
                .createSocket("localhost", coordinator.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    @DisplayName("the coordinator speaks TLS 1.3 only")
    void tls12IsRefused() throws Exception {
        try (javax.net.ssl.SSLSocket s = socketTrustingProjectCa(dir.resolve("sites/hospital-a"))) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            assertThrows(java.io.IOException.class, s::startHandshake);
        }
        try (javax.net.ssl.SSLSocket s = socketTrustingProjectCa(dir.resolve("sites/hospital-a"))) {
            s.setEnabledProtocols(new String[] {"TLSv1.3"});
            s.startHandshake();
            assertEquals("TLSv1.3", s.getSession().getProtocol());
        }
    }

    @Test
    @DisplayName("a client without a certificate gets no connection")
    void clientCertificateIsRequired() throws Exception {
        try (javax.net.ssl.SSLSocket s = socketTrustingProjectCa(null)) {
            s.setEnabledProtocols(new String[] {"TLSv1.3"});
            // In TLS 1.3 the server judges the client's (empty) certificate after the client's
            // side of the handshake, so the refusal arrives on the first read.
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> {
                s.startHandshake();
                s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes());
                s.getOutputStream().flush();
                if (s.getInputStream().read() == -1) {
                    throw new java.io.EOFException("closed by the coordinator");
                }
            });
            assertTrue(e.getMessage() != null, "refusal carries a reason");
        }
        assertServerStillServes();
    }

    /** After any refusal, a good site still gets a session: the server kept serving. */
    private void assertServerStillServes() {
        FederationClient a = startSite("hospital-a");
        Await.until("a good site connects after the refusal", WAIT, () -> a.state() == FederationClient.State.CONNECTED);
    }
}
