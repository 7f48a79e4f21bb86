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
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.governance.pki.Role;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.ListSitesRequest;
import org.medveil.proto.admin.SiteStatus;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.proto.federation.SiteMessage;
import org.medveil.proto.federation.FederationGrpc;
import org.medveil.site.FederationClient;
import org.medveil.site.KitRefusedException;
import org.medveil.site.Refusal;
import org.medveil.site.SiteSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coordinator and site nodes over real TLS 1.3 on loopback, with certificates from a real
 * provisioning folder (REQ-TX-2, TX-3, USE-3).
 */
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
    private LogCapture all;

    @BeforeEach
    void setUp() {
        provisioner = Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null,
                List.of("hospital-a", "hospital-b"),
                List.of(new ProjectSpec.User("admin", "project-admin"), new ProjectSpec.User("rita", "researcher"))),
                dir, Clock.systemUTC());
        security = new LogCapture(SECURITY_LOG);
        all = new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME);
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
        all.close();
        assertNoStackTracesOrDumps();
    }

    /** Nothing in any test's log is a multi-line dump or carries a library's stack trace. */
    private void assertNoStackTracesOrDumps() {
        for (var e : all.events()) {
            String m = e.getFormattedMessage();
            assertTrue(m == null || !m.contains("\n"), "multi-line log message from " + e.getLoggerName() + ": " + m);
            assertTrue(m == null || !m.contains("Channel Pipeline"), "pipeline dump from " + e.getLoggerName() + ": " + m);
            assertTrue(e.getThrowableProxy() == null || !e.getLoggerName().startsWith("org.medveil"),
                    "stack trace logged by " + e.getLoggerName() + ": " + m);
        }
    }

    private CoordinatorServer startCoordinator(int port) {
        CoordinatorSettings s = CoordinatorSettings.DEFAULTS.withListen("127.0.0.1:" + port).withHeartbeatSeconds(1);
        return CoordinatorServer.start(Kit.load(dir.resolve("coordinator")), s, Clock.systemUTC());
    }

    private FederationClient startSite(String name) {
        return startSiteKit(dir.resolve("sites").resolve(name));
    }

    private FederationClient startSiteKit(Path kit) {
        FederationClient c = FederationClient.start(Kit.load(kit),
                SiteSettings.DEFAULTS.withCoordinator("localhost:" + coordinator.port()).withBackoff(100, 1000));
        closeMe.add(c);
        return c;
    }

    /** A copy of a kit as handed out: it does not see later CRL updates in the provisioning folder. */
    private Path copyKit(String kit, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(dir.resolve(kit))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return to;
    }

    private CliRun cli(String... args) {
        return CliRun.run(args);
    }

    private String firstLine(CliRun r) {
        return r.err().lines().findFirst().orElse("");
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
        Await.until("revoked site listed as revoked", WAIT,
                () -> stateOf("hospital-b") == SiteStatus.ConnectionState.REVOKED);
        Await.until("refusal log line", WAIT, () -> security.contains("revoked", fp));
        Object r = RawClient.hello(RawClient.channel(dir.resolve("sites/hospital-b"), dir.resolve("ca/ca.pem"),
                coordinator.port()), "hospital-b");
        assertInstanceOf(Status.class, r);
        assertNotEquals(FederationClient.State.CONNECTED, b.state());
        String list = sitesListCli("users/admin");
        String revokedOn = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC).format(Instant.now());
        assertTrue(list.lines().anyMatch(l -> l.startsWith("hospital-b ") && l.contains(" revoked ")
                && l.contains("revoked since " + revokedOn)), list);
        assertServerStillServes();
    }

    @Test
    @DisplayName("mixed versions: a newer site's unknown messages are ignored and logged once; the session goes on;"
            + " the welcome names only the capabilities both sides have")
    void unknownMessagesAreIgnoredOnce() throws Exception {
        ManagedChannel ch = RawClient.channel(dir.resolve("sites/hospital-a"), dir.resolve("ca/ca.pem"),
                coordinator.port());
        java.util.concurrent.LinkedBlockingQueue<Object> in = new java.util.concurrent.LinkedBlockingQueue<>();
        io.grpc.stub.StreamObserver<SiteMessage> up = FederationGrpc.newStub(ch).session(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(CoordinatorMessage m) {
                in.add(m);
            }

            @Override
            public void onError(Throwable t) {
                in.add(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                in.add(Status.OK);
            }
        });
        try {
            up.onNext(SiteMessage.newBuilder().setSequence(1).setHello(org.medveil.proto.federation.Hello.newBuilder()
                    .setSiteName("hospital-a").addCapabilities(org.medveil.proto.Capabilities.HEARTBEAT)
                    .addCapabilities("from-the-future/v9")).build());
            CoordinatorMessage welcome = (CoordinatorMessage) in.poll(15, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(List.of(org.medveil.proto.Capabilities.HEARTBEAT), welcome.getWelcome().getCapabilitiesList());
            // A body field this build does not have (number 99), as a newer site would send it, twice.
            com.google.protobuf.UnknownFieldSet future = com.google.protobuf.UnknownFieldSet.newBuilder()
                    .addField(99, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("job offer v9")).build())
                    .build();
            for (int i = 0; i < 2; i++) {
                up.onNext(SiteMessage.newBuilder().setSequence(2 + i).setUnknownFields(future).build());
            }
            up.onNext(SiteMessage.newBuilder().setSequence(4).setHeartbeat(
                    org.medveil.proto.federation.Heartbeat.getDefaultInstance()).build());
            Object next = in.poll(15, java.util.concurrent.TimeUnit.SECONDS);
            assertInstanceOf(CoordinatorMessage.class, next, "the session ended instead of going on: " + next);
            assertTrue(((CoordinatorMessage) next).hasHeartbeatAck(), next.toString());
            long lines = all.events().stream().map(e -> e.getFormattedMessage())
                    .filter(m -> m != null && m.contains("does not know (field 99)")).count();
            assertEquals(1, lines, "the unknown message should be logged exactly once");
        } finally {
            ch.shutdownNow();
        }
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
        assertTrue(out.startsWith("1\n") && out.contains("refused the call")
                && out.contains("requires a user certificate"), out);
        assertEquals(2, out.lines().count(), "exit code and one line: " + out);
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

    // ---- what a refused client is told: one line per cause (issue 11) ----

    private String sitesListLine(Path userKit) {
        CliRun r = cli("sites", "list", "--kit", userKit.toString(), "--coordinator", "localhost:" + coordinator.port());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        return firstLine(r);
    }

    private static String day(Instant i) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC).format(i);
    }

    @Test
    @DisplayName("a revoked kit is told 'revoked on DATE' (date from its CRL), or that its CRL copy predates the revocation")
    void revokedClientLine(@TempDir Path elsewhere) throws Exception {
        Path stale = copyKit("users/rita", elsewhere.resolve("rita"));
        provisioner.revoke("rita");
        awaitCoordinatorCrlReload();
        Kit rita = Kit.load(dir.resolve("users/rita"));
        Instant at = RevocationList.of(rita, Clock.systemUTC(), Duration.ZERO).revocation(rita.certificate())
                .orElseThrow().at();
        String line = sitesListLine(dir.resolve("users/rita"));
        assertEquals("medveil: error: the coordinator at localhost:" + coordinator.port()
                + " refused this kit's certificate: revoked on " + at
                + "; a revoked kit stays refused: ask the project admin for a new kit", line);
        String staleLine = sitesListLine(stale);
        assertTrue(staleLine.contains("refused this kit's certificate: revoked (this kit's CRL copy predates"),
                staleLine);
        String fp = rita.fingerprint();
        Await.until("coordinator log line", WAIT, () -> security.contains("refused TLS client: certificate revoked", fp));
    }

    /** The coordinator re-reads its CRL file within a second or so (housekeeping); tests wait for it. */
    private void awaitCoordinatorCrlReload() {
        Await.until("coordinator reloads its CRL", WAIT,
                () -> all.contains("reloaded CRL " + dir.resolve("coordinator").resolve("crl.pem")));
    }

    @Test
    @DisplayName("an expired kit is told 'expired on DATE'")
    void expiredClientLine() {
        Instant past = Instant.now().minus(Duration.ofDays(30));
        Path kit = provisioner.add(Identity.user("demo", "old-user", Role.RESEARCHER), past, past.plus(Duration.ofDays(1)));
        String line = sitesListLine(kit);
        assertEquals("medveil: error: the coordinator at localhost:" + coordinator.port()
                + " refused this kit's certificate: expired on " + Kit.load(kit).certificate().getNotAfter().toInstant()
                + "; ask the project admin to run 'medveil provision renew old-user' and restart with the renewed kit",
                line);
    }

    @Test
    @DisplayName("a certificate of another CA is told 'not issued by this project's CA'")
    void foreignCaClientLine(@TempDir Path other) throws Exception {
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"), null),
                other, Clock.systemUTC());
        Kit forged = Kit.load(other.resolve("sites/hospital-a"));
        Throwable failure = RawClient.failure(RawClient.channel(other.resolve("sites/hospital-a"),
                dir.resolve("ca/ca.pem"), coordinator.port()), "hospital-a");
        HostNames.HostPort target = HostNames.parse("localhost:" + coordinator.port());
        Refusal r = Refusal.explain(failure, forged, RevocationList.none(forged.caCertificate()), target);
        assertEquals(Refusal.Cause.UNKNOWN_CA, r.cause(), r.line() + " from " + failure);
        assertTrue(r.line().startsWith("the coordinator at " + target + " refused this kit's certificate: not issued"
                + " by this project's CA"), r.line());
    }

    @Test
    @DisplayName("a certificate of the wrong kind is told 'not a site or user certificate'")
    void wrongKindClientLine() {
        String line = sitesListLine(dir.resolve("coordinator"));
        assertEquals("medveil: error: the coordinator at localhost:" + coordinator.port() + " refused this kit's"
                + " certificate: not a site or user certificate (this kit holds a coordinator certificate)", line);
        String fp = Kit.load(dir.resolve("coordinator")).fingerprint();
        Await.until("coordinator log line", WAIT, () -> security.contains("wrong kind", fp));
    }

    @Test
    @DisplayName("TLS 1.2 attempts and handshakes without a certificate are refused and logged once each, rate-limited")
    void oldTlsAndNoCertificateAreLoggedOnce() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (javax.net.ssl.SSLSocket s = socketTrustingProjectCa(dir.resolve("sites/hospital-a"))) {
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                assertThrows(java.io.IOException.class, s::startHandshake);
            }
            try (javax.net.ssl.SSLSocket s = socketTrustingProjectCa(null)) {
                s.setEnabledProtocols(new String[] {"TLSv1.3"});
                assertThrows(java.io.IOException.class, () -> {
                    s.startHandshake();
                    s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes());
                    s.getOutputStream().flush();
                    if (s.getInputStream().read() == -1) {
                        throw new java.io.EOFException("closed by the coordinator");
                    }
                });
            }
        }
        Await.until("TLS 1.2 refusal logged", WAIT, () -> security.contains("refused TLS client 127.0.0.1",
                "TLS 1.3 only"));
        Await.until("no-certificate refusal logged", WAIT, () -> security.contains("refused TLS client 127.0.0.1",
                "presented no certificate"));
        Thread.sleep(500); // let the later attempts' handshake callbacks run
        assertEquals(1, security.count("TLS 1.3 only"), security.lines().toString());
        assertEquals(1, security.count("presented no certificate"), security.lines().toString());
        assertServerStillServes();
    }

    @Test
    @DisplayName("a revoked site stops with a clear line: live (goodbye), restarted from a stale kit copy (TLS alert), or from its own kit")
    void revokedSiteStops(@TempDir Path elsewhere) throws Exception {
        FederationClient b = startSite("hospital-b");
        Await.until("hospital-b connected", WAIT, () -> b.state() == FederationClient.State.CONNECTED);
        Path stale = copyKit("sites/hospital-b", elsewhere.resolve("hospital-b"));
        provisioner.revoke("hospital-b");
        String line = b.fatal().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(line.startsWith("the coordinator revoked this site's certificate on "), line);
        assertEquals(FederationClient.State.STOPPED, b.state());

        FederationClient again = startSiteKit(stale);
        String staleLine = again.fatal().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(staleLine.contains("refused this kit's certificate: revoked"), staleLine);
        assertEquals(1, again.sessionsOpened() + 1, "never welcomed");

        PkiException own = assertThrows(KitRefusedException.class, () -> startSite("hospital-b"));
        assertTrue(own.getMessage().startsWith("this site's certificate was revoked on "), own.getMessage());
        CliRun serve = cli("site", "serve", "--kit", dir.resolve("sites/hospital-b").toString());
        assertEquals(3, serve.exit(), "exit code for 'do not restart': " + serve.err());
        assertTrue(serve.err().startsWith("medveil: error: this site's certificate was revoked on "), serve.err());
    }

    @Test
    @DisplayName("a revoked certificate hammering the coordinator costs one log line, not one per attempt")
    void refusalsAreRateLimitedPerCertificate() throws Exception {
        String fp = Kit.load(dir.resolve("sites/hospital-b")).fingerprint();
        provisioner.revoke("hospital-b");
        Await.until("CRL reloaded", WAIT, () -> {
            try {
                return RawClient.failure(RawClient.channel(dir.resolve("sites/hospital-b"), dir.resolve("ca/ca.pem"),
                        coordinator.port()), "hospital-b") != null;
            } catch (Exception e) {
                return false;
            }
        });
        for (int i = 0; i < 30; i++) {
            assertTrue(RawClient.failure(RawClient.channel(dir.resolve("sites/hospital-b"), dir.resolve("ca/ca.pem"),
                    coordinator.port()), "hospital-b") != null);
        }
        Thread.sleep(500);
        assertEquals(1, security.count(fp), "lines naming the certificate: " + security.lines());
    }

    @Test
    @DisplayName("the same site kit started twice: the replaced instance backs off and stops naming the other host")
    void duplicateSiteInstanceStops() throws Exception {
        Instant start = Instant.now();
        FederationClient first = startSite("hospital-a");
        Await.until("first instance connected", WAIT, () -> first.state() == FederationClient.State.CONNECTED);
        FederationClient second = startSite("hospital-a");
        String line = java.util.concurrent.CompletableFuture.anyOf(first.fatal(), second.fatal())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS).toString();
        assertEquals("another instance of site hospital-a is connected from 127.0.0.1; the coordinator replaced this"
                + " one 3 times in 10 min. Stop one of them: each site runs its kit once", line);
        FederationClient survivor = first.fatal().isDone() ? second : first;
        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 20, "bounded time");
        Await.until("the other instance keeps its session", WAIT,
                () -> survivor.state() == FederationClient.State.CONNECTED);
        Thread.sleep(1500);
        assertEquals(FederationClient.State.CONNECTED, survivor.state(), "no more take-overs");
        assertFalse(survivor.fatal().isDone());
        assertEquals(SiteStatus.ConnectionState.CONNECTED, stateOf("hospital-a"));
    }

    @Test
    @DisplayName("revoking the coordinator: sites and users refuse it with a clear line until it is renewed")
    void revokedCoordinatorIsRefused() throws Exception {
        LogCapture siteLog = new LogCapture(FederationClient.class.getName());
        try {
            FederationClient a = startSite("hospital-a");
            Await.until("hospital-a connected before the revocation", WAIT,
                    () -> a.state() == FederationClient.State.CONNECTED);
            CliRun revoke = cli("provision", "revoke", "coordinator", "--dir", dir.toString());
            assertEquals(0, revoke.exit(), revoke.err());
            assertTrue(revoke.out().contains("Sites and users refuse this coordinator certificate from their next"
                    + " connection"), revoke.out());
            assertTrue(revoke.out().contains("medveil provision renew coordinator"), revoke.out());
            Kit site = Kit.load(dir.resolve("sites/hospital-b"));
            Instant at = RevocationList.of(site, Clock.systemUTC(), Duration.ZERO)
                    .revocation(Kit.load(dir.resolve("coordinator")).certificate()).orElseThrow().at();
            String expected = "refusing the coordinator at localhost:" + coordinator.port()
                    + ": its certificate was revoked on " + at + " (this kit's CRL); the project admin must run"
                    + " 'medveil provision renew coordinator' and restart the coordinator with the renewed kit";

            FederationClient b = startSite("hospital-b");
            Await.until("site refuses the coordinator", WAIT, () -> siteLog.contains(expected));
            assertNotEquals(FederationClient.State.CONNECTED, b.state());
            assertFalse(b.fatal().isDone(), "the site keeps trying: a renewed coordinator brings it back");
            assertEquals("medveil: error: " + expected, sitesListLine(dir.resolve("users/admin")));
            Await.until("coordinator learns its certificate is revoked", WAIT,
                    () -> all.contains("this coordinator's certificate", "was revoked on"));
            Await.until("coordinator logs the client's alert", WAIT,
                    () -> security.contains("the client refused this coordinator's certificate (alert certificate_revoked)"));

            // A site that was running re-reads its kit's CRL: it keeps its open session, but refuses the
            // revoked coordinator from its next connection.
            assertEquals(FederationClient.State.CONNECTED, a.state(), "open sessions continue");
            int port = coordinator.port();
            coordinator.close();
            coordinator = startCoordinator(port);
            Thread.sleep(3000); // several reconnect attempts at the test's 100-1000 ms backoff
            assertEquals(1, a.sessionsOpened(), "no new session with the revoked coordinator");
            assertNotEquals(FederationClient.State.CONNECTED, a.state());

            CliRun renew = cli("provision", "renew", "coordinator", "--dir", dir.toString());
            assertEquals(0, renew.exit(), renew.err());
            coordinator.close();
            coordinator = startCoordinator(port);
            Await.until("sites connect to the renewed coordinator", WAIT,
                    () -> b.state() == FederationClient.State.CONNECTED && a.state() == FederationClient.State.CONNECTED);
        } finally {
            siteLog.close();
        }
    }

    /** After any refusal, a good site still gets a session: the server kept serving. */
    private void assertServerStillServes() {
        FederationClient a = startSite("hospital-a");
        Await.until("a good site connects after the refusal", WAIT, () -> a.state() == FederationClient.State.CONNECTED);
    }
}
