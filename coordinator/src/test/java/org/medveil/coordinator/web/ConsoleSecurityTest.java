package org.medveil.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.coordinator.jobs.JobRefusedException;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.pki.Role;
import org.medveil.proto.admin.JobStatus;
import org.slf4j.LoggerFactory;

/**
 * The console's locks, probed with a plain HTTP client over real TLS (the coordinator kit's
 * certificate, trusted through the project CA only): one-time links that expire and work once,
 * sessions that only the server's own cookies open, state changes only from the console's own
 * origin, roles, and no plain HTTP. Behind the console is a recording stand-in for the
 * coordinator (the browser tests in cli run the real one).
 */
class ConsoleSecurityTest {

    @TempDir
    static Path dir;
    static Kit coordinator;
    static Kit admin;
    static Kit rita;
    static Kit dm;
    static Kit carla;
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    static final List<String> ABORTS = new CopyOnWriteArrayList<>();
    static final Set<String> REVOKED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static ConsoleServer console;
    static HttpClient http;
    static ListAppender<ILoggingEvent> logs;

    static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    static JobStatus job(String state) {
        return JobStatus.newBuilder().setJobId("job-1").setName("demo-lesions").setState(state).setStrategy("fedavg")
                .setHe("n8192").setRounds(3).build();
    }

    @BeforeAll
    static void start() throws Exception {
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"),
                List.of(new ProjectSpec.User("pat", "project-admin"), new ProjectSpec.User("rita", "researcher"),
                        new ProjectSpec.User("dm", "data-manager"), new ProjectSpec.User("carla", "compliance-officer"))),
                dir.resolve("prov"), Clock.systemUTC());
        coordinator = Kit.load(dir.resolve("prov/coordinator"));
        admin = Kit.load(dir.resolve("prov/users/pat"));
        rita = Kit.load(dir.resolve("prov/users/rita"));
        dm = Kit.load(dir.resolve("prov/users/dm"));
        carla = Kit.load(dir.resolve("prov/users/carla"));
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        ConsoleBackend backend = new ConsoleBackend() {
            @Override
            public List<JobStatus> jobs() {
                return List.of(ConsoleSecurityTest.job("running"));
            }

            @Override
            public JobStatus job(String jobId) {
                if (!jobId.equals("job-1")) {
                    throw new JobRefusedException("no job " + jobId);
                }
                return ConsoleSecurityTest.job("running");
            }

            @Override
            public List<CoordinatorStore.RoundPhase> phases(String jobId) {
                return List.of();
            }

            @Override
            public JobStatus abort(String jobId, String reason, String by) {
                ABORTS.add(jobId + " by " + by);
                return ConsoleSecurityTest.job("aborted");
            }

            @Override
            public List<SiteView> sites() {
                return List.of(new SiteView("hospital-a", "connected", CLOCK.instant(), CLOCK.instant(), "0.1.0", "ab",
                        CLOCK.instant().plus(Duration.ofDays(300)), null));
            }

            @Override
            public Path manifestFolder(String jobId) {
                return manifests;
            }

            @Override
            public X509Certificate projectCa() {
                return coordinator.caCertificate();
            }

            @Override
            public String refusal(X509Certificate userCertificate) {
                return REVOKED.contains(userCertificate.getSubjectX500Principal().getName()) ? "certificate revoked" : null;
            }
        };
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger("org.medveil.coordinator.console")).addAppender(logs);
        console = ConsoleServer.start(coordinator, "127.0.0.1", 0, "localhost", backend,
                new ConsoleLogins(CLOCK, Duration.ofSeconds(60), Duration.ofHours(8)));
        // trusts the project CA and nothing else, and checks the host name: the console must present
        // the coordinator's certificate
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", coordinator.caCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(ssl).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
        ((Logger) LoggerFactory.getLogger("org.medveil.coordinator.console")).detachAppender(logs);
    }

    static ConsoleLogins.User user(Kit kit) {
        return new ConsoleLogins.User(kit.identity().name(), kit.identity().role(), kit.fingerprint(), kit.certificate());
    }

    static String base() {
        return "https://localhost:" + console.port();
    }

    static HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String cookie, String origin, String fetchSite) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"test\"}"));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (fetchSite != null) {
            b.header("Sec-Fetch-Site", fetchSite);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Signs in through a fresh one-time link; returns the "name=value" of the session cookie. */
    static String signIn(Kit kit) throws Exception {
        HttpResponse<String> r = get(console.loginLink(user(kit)), null);
        assertEquals(303, r.statusCode(), r.body());
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        return set.substring(0, set.indexOf(';'));
    }

    @Test
    @DisplayName("a one-time link opens a session once: Secure, HttpOnly, SameSite=Strict cookie, redirect; reused it is refused")
    void linkWorksOnceWithASafeCookie() throws Exception {
        String link = console.loginLink(user(rita));
        assertTrue(link.startsWith(base() + "/login?token="), link);
        HttpResponse<String> first = get(link, null);
        assertEquals(303, first.statusCode());
        assertEquals("/", first.headers().firstValue("Location").orElseThrow());
        String set = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(set.startsWith(ConsoleServer.COOKIE + "="), set);
        for (String attr : List.of("Secure", "HttpOnly", "SameSite=Strict", "Path=/")) {
            assertTrue(set.contains("; " + attr), "cookie lacks " + attr + ": " + set);
        }
        String cookie = set.substring(0, set.indexOf(';'));
        HttpResponse<String> me = get(base() + "/api/me", cookie);
        assertEquals(200, me.statusCode());
        assertTrue(me.body().contains("\"name\":\"rita\"") && me.body().contains("\"role\":\"researcher\""), me.body());

        HttpResponse<String> again = get(link, null);
        assertEquals(403, again.statusCode(), "a used login link must not open a second session");
        assertTrue(again.headers().firstValue("Set-Cookie").isEmpty());
        assertTrue(again.body().contains("already used"), again.body());
    }

    @Test
    @DisplayName("a login link older than its 60 s is refused, and spent")
    void expiredLinkIsRefused() throws Exception {
        String link = console.loginLink(user(rita));
        CLOCK.advance(Duration.ofSeconds(61));
        HttpResponse<String> r = get(link, null);
        assertEquals(403, r.statusCode());
        assertTrue(r.headers().firstValue("Set-Cookie").isEmpty());
        assertTrue(r.body().contains("expired"), r.body());

        String fresh = console.loginLink(user(rita));
        CLOCK.advance(Duration.ofSeconds(59));
        assertEquals(303, get(fresh, null).statusCode(), "a link within its minute works");
    }

    @Test
    @DisplayName("forged, altered, ended or missing session cookies open nothing")
    void forgedCookiesAreRefused() throws Exception {
        String real = signIn(admin);
        HttpResponse<String> jobs = get(base() + "/api/jobs", real);
        assertEquals(200, jobs.statusCode(), jobs.body());
        String value = real.substring(real.indexOf('=') + 1);
        char last = value.charAt(value.length() - 1);
        String altered = ConsoleServer.COOKIE + "=" + value.substring(0, value.length() - 1) + (last == 'A' ? 'B' : 'A');
        for (String cookie : new String[] {null, ConsoleServer.COOKIE + "=", ConsoleServer.COOKIE + "=admin",
                ConsoleServer.COOKIE + "=" + "A".repeat(43), altered, "session=" + value}) {
            for (String path : List.of("/api/me", "/api/jobs", "/api/sites", "/api/jobs/job-1/files/round-000001.json")) {
                HttpResponse<String> r = get(base() + path, cookie);
                assertEquals(401, r.statusCode(), "cookie " + cookie + " opened " + path);
            }
            assertEquals(401, post("/api/jobs/job-1/abort", cookie, base(), "same-origin").statusCode());
        }
        assertEquals(200, post("/logout", real, base(), "same-origin").statusCode());
        assertEquals(401, get(base() + "/api/jobs", real).statusCode(), "a signed-out session must be dead");
    }

    @Test
    @DisplayName("a state-changing request from another origin (or none, or a cross-site fetch) is refused")
    void crossSiteRequestsAreRefused() throws Exception {
        String cookie = signIn(admin);
        ABORTS.clear();
        assertEquals(403, post("/api/jobs/job-1/abort", cookie, "https://evil.example", null).statusCode());
        assertEquals(403, post("/api/jobs/job-1/abort", cookie, "https://evil.example", "cross-site").statusCode());
        assertEquals(403, post("/api/jobs/job-1/abort", cookie, null, null).statusCode());
        assertEquals(403, post("/api/jobs/job-1/abort", cookie, "http://localhost:" + console.port(), null).statusCode());
        assertEquals(403, post("/api/jobs/job-1/abort", cookie, base(), "same-site").statusCode());
        assertEquals(403, post("/logout", cookie, "https://evil.example", "cross-site").statusCode());
        assertTrue(ABORTS.isEmpty(), "a cross-site request reached abort: " + ABORTS);
        assertEquals(200, get(base() + "/api/me", cookie).statusCode(), "a refused logout must not end the session");

        HttpResponse<String> ok = post("/api/jobs/job-1/abort", cookie, base(), "same-origin");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(List.of("job-1 by pat (project-admin) (web console)"), ABORTS);
    }

    @Test
    @DisplayName("plain HTTP to the console's port gets no HTTP answer, and no page")
    void plainHttpIsRefused() throws Exception {
        try (Socket s = new Socket("127.0.0.1", console.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/jobs HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] got;
            try {
                got = in.readNBytes(64);
            } catch (IOException e) {
                got = new byte[0]; // reset by the server: refused as well
            }
            String text = new String(got, StandardCharsets.ISO_8859_1);
            assertFalse(text.startsWith("HTTP/"), "the console answered plain HTTP: " + text);
        }
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + console.port() + "/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    @DisplayName("the console presents the coordinator's own certificate over TLS 1.3")
    void servesTheCoordinatorsCertificate() throws Exception {
        HttpResponse<String> r = get(base() + "/", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("MedVeil console"));
        var session = r.sslSession().orElseThrow();
        assertEquals("TLSv1.3", session.getProtocol());
        assertArrayEquals(coordinator.certificate().getEncoded(), session.getPeerCertificates()[0].getEncoded());
        assertTrue(r.headers().firstValue("Content-Security-Policy").orElseThrow().contains("frame-ancestors 'none'"));
        // the chart library comes from the coordinator itself (webjar), not from the internet
        HttpResponse<String> js = get(base() + "/vendor/uplot/uPlot.iife.min.js", null);
        assertEquals(200, js.statusCode());
        assertTrue(js.body().contains("uPlot"));
    }

    @Test
    @DisplayName("roles decide what is served; a user whose certificate is revoked is signed out")
    void rolesDecide() throws Exception {
        String dmCookie = signIn(dm);
        assertEquals(403, get(base() + "/api/jobs", dmCookie).statusCode());
        assertEquals(403, get(base() + "/api/jobs/job-1", dmCookie).statusCode());
        assertEquals(403, get(base() + "/api/jobs/job-1/manifests", dmCookie).statusCode());
        assertEquals(200, get(base() + "/api/sites", dmCookie).statusCode());

        String researcher = signIn(rita);
        assertEquals(200, get(base() + "/api/jobs/job-1", researcher).statusCode());
        ABORTS.clear();
        assertEquals(403, post("/api/jobs/job-1/abort", researcher, base(), "same-origin").statusCode());
        assertTrue(ABORTS.isEmpty());

        String officer = signIn(carla);
        HttpResponse<String> m = get(base() + "/api/jobs/job-1/manifests", officer);
        assertEquals(200, m.statusCode(), m.body());
        assertEquals(404, get(base() + "/api/jobs/job-2/manifests", officer).statusCode());
        for (String sneaky : List.of("..%2F..%2Fprov%2Fcoordinator%2Fkey.pem", "..%2Fmanifests")) {
            HttpResponse<String> up = get(base() + "/api/jobs/job-1/files/" + sneaky, officer);
            assertTrue(up.statusCode() >= 400 && !up.body().contains("PRIVATE KEY"), up.statusCode() + " " + up.body());
        }

        REVOKED.add(carla.certificate().getSubjectX500Principal().getName());
        try {
            assertEquals(401, get(base() + "/api/jobs", officer).statusCode());
        } finally {
            REVOKED.clear();
        }
        assertEquals(401, get(base() + "/api/jobs", officer).statusCode(), "the session of a revoked user stays ended");
    }

    @Test
    @DisplayName("every action is logged in one line naming the user, and no line holds a login token or session id")
    void actionsAreLoggedWithoutSecrets() throws Exception {
        String link = console.loginLink(user(admin));
        String token = link.substring(link.indexOf("token=") + 6);
        HttpResponse<String> r = get(link, null);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        String session = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
        get(base() + "/api/jobs", ConsoleServer.COOKIE + "=" + session);
        post("/api/jobs/job-1/abort", ConsoleServer.COOKIE + "=" + session, base(), "same-origin");
        List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertNotNull(lines.stream().filter(l -> l.contains("pat (project-admin) signed in")).findFirst().orElse(null),
                String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("pat (project-admin) GET /api/jobs -> 200")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("pat (project-admin) aborted job job-1")), String.join("\n", lines));
        for (String l : lines) {
            assertFalse(l.contains(token) || l.contains(session), "a log line holds a secret: " + l);
            assertFalse(l.contains("\n"), "a log line spans lines: " + l);
        }
    }
}
