package org.medveil.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.medveil.coordinator.jobs.JobRefusedException;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.TlsMaterial;
import org.medveil.proto.admin.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's web console: HTTPS only (TLS 1.3, the coordinator kit's certificate and key)
 * on a port of its own, plain Jetty without a web framework. Users sign in with a one-time link
 * from {@code medveil console open} (the admin API issues it to the certificate of the call) and
 * then hold a session cookie (Secure, HttpOnly, SameSite=Strict). Each request's session is
 * checked, and the user's certificate again (a revoked user is signed out); state-changing
 * requests must come from the console's own origin (Origin and Sec-Fetch-Site). Every action is
 * logged on {@code org.medveil.coordinator.console}, one line, without PHI (there is none here:
 * job statuses hold aggregates only) and without tokens.
 */
public final class ConsoleServer implements AutoCloseable {

    static final Logger LOG = LoggerFactory.getLogger("org.medveil.coordinator.console");
    /** {@code __Host-}: browsers keep it only if Secure, Path=/ and without Domain (no subdomain can plant it). */
    public static final String COOKIE = "__Host-medveil_console";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATIC = "/org/medveil/coordinator/web/static/";
    private static final Pattern JOB_PATH = Pattern.compile("/api/jobs/([A-Za-z0-9._-]+)(/manifests|/abort"
            + "|/files/([A-Za-z0-9][A-Za-z0-9._-]*))?");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "png", "image/png",
            "svg", "image/svg+xml");
    /** Front end: no inline script or style, nothing from elsewhere, never framed. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final Server server;
    private final ConsoleLogins logins;
    private final ConsoleBackend backend;
    private final String publicHost;
    private final String uplotDir;

    private ConsoleServer(Server server, ConsoleLogins logins, ConsoleBackend backend, String publicHost) {
        this.server = server;
        this.logins = logins;
        this.backend = backend;
        this.publicHost = publicHost;
        this.uplotDir = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
    }

    /**
     * Starts the console on {@code bindHost:port} (port 0: any free port) with the kit's
     * certificate; links name {@code publicHost} (the name in the coordinator's certificate).
     */
    public static ConsoleServer start(Kit kit, String bindHost, int port, String publicHost, ConsoleBackend backend,
            ConsoleLogins logins) {
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("console");
        pool.setDaemon(true);
        Server server = new Server(pool);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(TlsMaterial.keyManagers(kit).getKeyManagers(), null, null);
            tls.setSslContext(ctx);
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot set up the console's TLS from kit " + kit.dir() + ": " + e.getMessage(), e);
        }
        tls.setIncludeProtocols("TLSv1.3");
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // users may reach it by address; the certificate still authenticates it
        http.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls,
                HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(http));
        connector.setHost(bindHost);
        connector.setPort(port);
        server.addConnector(connector);
        ConsoleServer console = new ConsoleServer(server, logins, backend, publicHost);
        server.setHandler(console.new Routes());
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // the start failure is the one to report
            }
            throw new IllegalStateException("cannot start the web console on " + bindHost + ":" + port + ": "
                    + e.getMessage() + "; choose another port with --console PORT", e);
        }
        LOG.info("web console listening on https://{}:{}/ (TLS 1.3; sign in with 'medveil console open --kit USER_KIT')",
                bindHost, console.port());
        return console;
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** A one-time login link for {@code user} (the admin API's {@code OpenConsole}). */
    public String loginLink(ConsoleLogins.User user) {
        String token = logins.issue(user);
        LOG.info("console: login link issued to {}", user.describe());
        return "https://" + publicHost + ":" + port() + "/login?token=" + token;
    }

    public ConsoleLogins logins() {
        return logins;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the web console: {}", e.toString());
        }
    }

    private static String webjarVersion(String name) {
        try (InputStream in = ConsoleServer.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/" + name
                + "/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the webjar " + name + " is not on the class path; rebuild MedVeil");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the webjar " + name + ": " + e.getMessage(), e);
        }
    }

    /** One request's outcome, written once. */
    private record Reply(int status, String type, byte[] body, Map<String, String> headers) {
        static Reply json(int status, Object value) {
            try {
                return new Reply(status, "application/json", JSON.writeValueAsBytes(value), Map.of());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Reply error(int status, String message) {
            return json(status, Map.of("error", message));
        }
    }

    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            String method = request.getMethod();
            String who = "-";
            Reply reply;
            boolean quiet = "1".equals(request.getHeaders().get("X-Console-Refresh"));
            try {
                if (path.equals("/login")) {
                    reply = login(request);
                    who = reply.headers().getOrDefault("X-Who", "-");
                } else if (path.startsWith("/api/") || path.equals("/logout")) {
                    Optional<ConsoleLogins.Session> s = session(request);
                    if (s.isEmpty()) {
                        reply = Reply.error(401, "not signed in (or the session ended): run 'medveil console open"
                                + " --kit YOUR_KIT' and open the link it prints");
                    } else {
                        who = s.get().user().describe();
                        reply = api(method, path, request, s.get());
                    }
                } else {
                    quiet = true;
                    reply = asset(method, path);
                }
            } catch (JobRefusedException e) {
                reply = Reply.error(404, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("console: {} {} failed: {}", method, path, e.toString());
                reply = Reply.error(500, "the coordinator could not answer: " + e.getMessage());
            }
            if (quiet && reply.status() < 400) {
                LOG.debug("console: {} {} {} -> {}", who, method, path, reply.status());
            } else {
                LOG.info("console: {} {} {} -> {}", who, method, path, reply.status());
            }
            write(response, reply, callback);
            return true;
        }
    }

    private static void write(Response response, Reply reply, Callback callback) {
        response.setStatus(reply.status());
        var h = response.getHeaders();
        h.put("Content-Security-Policy", CSP);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer"); // the login URL carries a token
        h.put("Cache-Control", "no-store");
        if (reply.type() != null) {
            h.put(HttpHeader.CONTENT_TYPE, reply.type());
        }
        reply.headers().forEach((k, v) -> {
            if (!k.equals("X-Who")) {
                h.add(k, v);
            }
        });
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
    }

    private Reply login(Request request) {
        String token = Request.extractQueryParameters(request).getValue("token");
        try {
            ConsoleLogins.Session s = logins.redeem(token);
            LOG.info("console: {} signed in", s.user().describe());
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Set-Cookie", COOKIE + "=" + s.id() + "; Path=/; Max-Age=" + logins.sessionLifetime().toSeconds()
                    + "; Secure; HttpOnly; SameSite=Strict");
            headers.put("Location", "/");
            headers.put("X-Who", s.user().describe());
            return new Reply(303, "text/plain; charset=utf-8", "signed in".getBytes(StandardCharsets.UTF_8), headers);
        } catch (ConsoleLogins.RefusedException e) {
            LOG.warn("console: login refused: {}", e.getMessage());
            return new Reply(403, "text/plain; charset=utf-8", ("This login link is invalid, expired or was already used."
                    + " Links work once, within a minute: run 'medveil console open --kit YOUR_KIT' for a new one.\n")
                    .getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    private Optional<ConsoleLogins.Session> session(Request request) {
        String id = null;
        for (var c : Request.getCookies(request)) {
            if (COOKIE.equals(c.getName())) {
                id = c.getValue();
            }
        }
        Optional<ConsoleLogins.Session> s = logins.session(id);
        if (s.isPresent()) {
            String refusal = backend.refusal(s.get().user().certificate());
            if (refusal != null) {
                logins.end(id);
                LOG.warn("console: session of {} ended: {}", s.get().user().describe(), refusal);
                return Optional.empty();
            }
        }
        return s;
    }

    /**
     * A state-changing request must come from the console's own pages: the browser's Origin must
     * be this console and, when the browser says where the request comes from, the same origin.
     * SameSite=Strict already keeps the cookie off cross-site requests; this is the second lock.
     */
    private static String crossSite(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (origin == null || host == null || !origin.equals("https://" + host)) {
            return "origin " + (origin == null ? "(none)" : origin) + " is not this console";
        }
        String site = request.getHeaders().get("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            return "Sec-Fetch-Site is " + site;
        }
        return null;
    }

    private Reply api(String method, String path, Request request, ConsoleLogins.Session s) {
        ConsoleLogins.User user = s.user();
        boolean post = method.equals("POST");
        if (post) {
            String cross = crossSite(request);
            if (cross != null) {
                LOG.warn("console: refused {} {} for {}: cross-site request ({})", method, path, user.describe(), cross);
                return Reply.error(403, "refused: cross-site request (" + cross + ")");
            }
        } else if (!method.equals("GET")) {
            return Reply.error(405, "method " + method + " is not allowed here");
        }
        if (path.equals("/logout") && post) {
            logins.end(s.id());
            Map<String, String> headers = Map.of("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly;"
                    + " SameSite=Strict");
            return new Reply(200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), headers);
        }
        if (path.equals("/api/me") && !post) {
            Map<String, Object> me = new LinkedHashMap<>();
            me.put("name", user.name());
            me.put("role", user.role().id());
            Map<String, Boolean> may = new LinkedHashMap<>();
            for (ConsoleAccess a : ConsoleAccess.values()) {
                may.put(a.id(), a.allows(user.role()));
            }
            me.put("may", may);
            return Reply.json(200, me);
        }
        if (path.equals("/api/jobs") && !post) {
            if (!ConsoleAccess.JOBS.allows(user.role())) {
                return denied(user, "the jobs");
            }
            return Reply.json(200, backend.jobs().stream().map(ConsoleViews::job).toList());
        }
        if (path.equals("/api/sites") && !post) {
            if (!ConsoleAccess.SITES.allows(user.role())) {
                return denied(user, "the sites");
            }
            return Reply.json(200, backend.sites().stream().map(ConsoleViews::site).toList());
        }
        Matcher m = JOB_PATH.matcher(path);
        if (!m.matches()) {
            return Reply.error(404, "no such page: " + path);
        }
        String jobId = m.group(1);
        String sub = m.group(2) == null ? "" : m.group(2);
        if (sub.equals("/abort")) {
            if (!post) {
                return Reply.error(405, "abort with POST");
            }
            if (!ConsoleAccess.ABORT.allows(user.role())) {
                return denied(user, "aborting jobs");
            }
            String reason = "";
            try {
                JsonNode body = JSON.readTree(Content.Source.asString(request, StandardCharsets.UTF_8));
                if (body != null && body.hasNonNull("reason")) {
                    reason = body.get("reason").asText();
                }
            } catch (IOException e) {
                return Reply.error(400, "the abort request's body must be JSON {\"reason\": \"...\"}");
            }
            reason = reason.length() > 200 ? reason.substring(0, 200) : reason;
            JobStatus st = backend.abort(jobId, reason, user.describe() + " (web console)");
            LOG.info("console: {} aborted job {}", user.describe(), jobId);
            return Reply.json(200, ConsoleViews.job(st));
        }
        if (post) {
            return Reply.error(405, "method POST is not allowed here");
        }
        if (sub.isEmpty()) {
            if (!ConsoleAccess.JOBS.allows(user.role())) {
                return denied(user, "jobs");
            }
            Map<String, Object> view = ConsoleViews.job(backend.job(jobId));
            view.put("phases", backend.phases(jobId).stream().map(ConsoleViews::phase).toList());
            return Reply.json(200, view);
        }
        if (!ConsoleAccess.MANIFESTS.allows(user.role())) {
            return denied(user, "manifests");
        }
        backend.job(jobId); // unknown job: 404
        Path dir = backend.manifestFolder(jobId);
        if (sub.equals("/manifests")) {
            return Reply.json(200, ConsoleViews.manifests(jobId, dir, backend.projectCa()));
        }
        String name = m.group(3);
        Path file = dir.resolve(name);
        if (name.endsWith(".tmp") || !file.getParent().equals(dir) || !Files.isRegularFile(file)) {
            return Reply.error(404, "job " + jobId + " has no manifest file " + name);
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            String type = name.endsWith(".json") ? "application/json" : name.endsWith(".pem")
                    ? "application/x-pem-file" : "application/octet-stream";
            LOG.info("console: {} downloaded {} of job {}", user.describe(), name, jobId);
            return new Reply(200, type, bytes, Map.of("Content-Disposition", "attachment; filename=\"" + name + "\""));
        } catch (IOException e) {
            return Reply.error(500, "cannot read " + name + " of job " + jobId + ": " + e.getMessage());
        }
    }

    private static Reply denied(ConsoleLogins.User user, String what) {
        LOG.warn("console: refused {} access to {}: not allowed for role {}", user.describe(), what, user.role().id());
        return Reply.error(403, "your role (" + user.role().id() + ") may not see " + what);
    }

    private Reply asset(String method, String path) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Reply.error(405, "method " + method + " is not allowed here");
        }
        String resource;
        if (path.equals("/") || path.equals("/index.html")) {
            resource = STATIC + "index.html";
        } else if (path.startsWith("/vendor/uplot/") && path.matches("/vendor/uplot/uPlot\\.(iife\\.min\\.js|min\\.css)")) {
            resource = uplotDir + path.substring("/vendor/uplot/".length());
        } else if (path.matches("/[a-z]+\\.(js|css|png|svg)")) {
            resource = STATIC + path.substring(1);
        } else {
            return Reply.error(404, "no such page: " + path);
        }
        try (InputStream in = ConsoleServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Reply.error(404, "no such page: " + path);
            }
            String ext = resource.substring(resource.lastIndexOf('.') + 1);
            return new Reply(200, TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes(), Map.of());
        } catch (IOException e) {
            return Reply.error(500, "cannot read " + path + ": " + e.getMessage());
        }
    }
}
