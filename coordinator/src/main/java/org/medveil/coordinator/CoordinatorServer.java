package org.medveil.coordinator;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.coordinator.web.ConsoleBackend;
import org.medveil.coordinator.web.ConsoleLogins;
import org.medveil.coordinator.web.ConsoleServer;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.pki.PeerRefusedException;
import org.medveil.proto.admin.JobStatus;
import java.security.cert.X509Certificate;
import java.util.List;
import org.medveil.proto.transfer.TransferService;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.governance.pki.TlsMaterial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator daemon: a gRPC server with TLS 1.3 that requires a client certificate from
 * the project CA, checks it against the CRL at the handshake and on every call, and serves the
 * site {@code Session} stream and the admin API.
 */
public final class CoordinatorServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorServer.class);
    /** Bulk parts: a model part is 2^20 float32 values (4 MiB) plus framing. */
    public static final int MAX_PART_BYTES = 8 << 20;

    private final Kit kit;
    private final Server server;
    private final FederationService federation;
    private final SiteRegistry registry;
    private final ScheduledExecutorService housekeeping;
    private final JobDesk desk;
    private final PeerVerifier verifier;
    private final String bindHost;
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicReference<ConsoleServer> console;

    private CoordinatorServer(Kit kit, Server server, FederationService federation, SiteRegistry registry,
                              ScheduledExecutorService housekeeping, JobDesk desk, PeerVerifier verifier,
                              String bindHost, Clock clock,
                              java.util.concurrent.atomic.AtomicReference<ConsoleServer> console) {
        this.verifier = verifier;
        this.bindHost = bindHost;
        this.clock = clock;
        this.console = console;
        this.kit = kit;
        this.server = server;
        this.federation = federation;
        this.registry = registry;
        this.housekeeping = housekeeping;
        this.desk = desk;
    }

    private static Map<String, String> fields(String event, String reason, String fingerprint) {
        return fingerprint == null ? Map.of("event", event, "reason", reason)
                : Map.of("event", event, "reason", reason, "fingerprint", fingerprint);
    }

    /**
     * Says loudly when the CRL lists this coordinator's own certificate: sites and users refuse
     * it from their next connection, and only a renewed kit and a restart bring them back.
     */
    private static final class OwnCertificate {
        private final Kit kit;
        private final RevocationList crl;
        private boolean reported;

        OwnCertificate(Kit kit, RevocationList crl) {
            this.kit = kit;
            this.crl = crl;
        }

        void check() {
            crl.revocation(kit.certificate()).ifPresent(r -> {
                if (!reported) {
                    reported = true;
                    LOG.error("this coordinator's certificate (sha256:{}) was revoked on {}; sites and users refuse it"
                            + " from their next connection. Run 'medveil provision renew coordinator' and restart with"
                            + " the renewed kit", kit.fingerprint(), r.at());
                }
            });
        }
    }

    private static io.grpc.ServerServiceDefinition observed(io.grpc.ServerServiceDefinition service,
            io.grpc.ServerInterceptor observer) {
        return observer == null ? service : ServerInterceptors.intercept(service, observer);
    }

    /** Loads nothing itself: give it a loaded kit and its settings (see {@link Kit#settings}). */
    public static CoordinatorServer start(Kit kit, CoordinatorSettings settings, Clock clock) {
        return start(kit, settings, clock, null);
    }

    /**
     * As {@link #start(Kit, CoordinatorSettings, Clock)}, with an observer that sees every call of
     * every service (site sessions, bulk transfers, admin), outside the caller check, with the
     * plaintext messages both ways. It is the seam through which tests watch what crosses the
     * network (the PHI canary); the daemon passes none.
     */
    public static CoordinatorServer start(Kit kit, CoordinatorSettings settings, Clock clock,
            io.grpc.ServerInterceptor observer) {
        if (kit.identity().kind() != Kind.COORDINATOR) {
            throw new PkiException("kit " + kit.dir() + " belongs to " + kit.identity().describe()
                    + "; 'coordinator serve' needs the coordinator's kit");
        }
        if (kit.crlFile() == null) {
            throw new ConfigException(kit.dir().resolve("medveil.yaml") + ": required field 'crl' is missing;"
                    + " the coordinator must check revocation");
        }
        Duration crlCheck = Duration.ofSeconds(settings.crlCheckSeconds());
        RevocationList crl = new RevocationList(kit.crlFile(), kit.caCertificate(), clock, crlCheck);
        PeerVerifier verifier = new PeerVerifier(kit.caCertificate(), kit.identity().project(), crl, clock);
        Path stateDir = kit.dir().resolve(settings.stateDir());
        Duration timeout = Duration.ofSeconds((long) settings.heartbeatSeconds() * settings.heartbeatMisses());
        SiteRegistry registry = new SiteRegistry(stateDir, clock, timeout, crl);
        FederationService federation = new FederationService(kit.identity().project(), registry, verifier, clock,
                settings.heartbeatSeconds(), timeout);
        RefusalLog refusals = new RefusalLog(CallerInterceptor.SECURITY, clock,
                Duration.ofSeconds(settings.refusalLogSeconds()));
        CallerInterceptor interceptor = new CallerInterceptor(verifier, new AccessPolicy(), refusals);
        OwnCertificate own = new OwnCertificate(kit, crl);
        JobDesk desk = JobDesk.open(stateDir, settings, kit, crl, federation, clock);
        own.check();

        HostNames.HostPort listen = settings.listen() != null ? HostNames.parse(settings.listen())
                : new HostNames.HostPort("0.0.0.0", kit.coordinatorAddress().port());
        SslContext ssl;
        try {
            SslContextBuilder b = GrpcSslContexts.configure(SslContextBuilder.forServer(TlsMaterial.keyManagers(kit)))
                    .trustManager(TlsMaterial.clientVerifier(verifier, kit.caCertificate(), Set.of(Kind.SITE, Kind.USER),
                            e -> {
                                refusals.refused("cert:" + e.fingerprint(), "certificate sha256:" + e.fingerprint()
                                                + " (" + e.reason().text() + ")",
                                        fields("refused", e.reason().name(), e.fingerprint()),
                                        "refused TLS client: {}", e.getMessage());
                                return TlsAlerts.forRefusal(e);
                            }))
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols("TLSv1.3");
            ssl = b.build();
        } catch (SSLException e) {
            throw new PkiException("cannot set up TLS from kit " + kit.dir() + ": " + e.getMessage(), e);
        }
        java.util.concurrent.atomic.AtomicReference<ConsoleServer> console = new java.util.concurrent.atomic.AtomicReference<>();
        TlsHandshakes.Listener handshakeLog = (host, failure, detail) -> {
            switch (failure) {
                case CERTIFICATE_REFUSED -> { } // logged by the trust manager with the fingerprint
                case CLOSED -> LOG.debug("TLS connection from {} closed during the handshake", host);
                default -> refusals.refused("tls:" + failure + ":" + host, "TLS handshakes from " + host + " ("
                                + failure.text + ")", Map.of("event", "refused", "reason", failure.name(), "peer", host),
                        "refused TLS client {}: {}{}", host, failure.text, detail == null ? "" : " (" + detail + ")");
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(listen.host(), listen.port()),
                        TlsHandshakes.credentials(ssl, handshakeLog))
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(observed(ServerInterceptors.intercept(federation, interceptor), observer))
                .maxInboundMessageSize(TransferService.maxMessageBytes(MAX_PART_BYTES))
                .addService(observed(ServerInterceptors.intercept(new TransferService(desk.objects.transferStore(),
                        () -> CallerInterceptor.CALLER.get().identity().name(), MAX_PART_BYTES), interceptor), observer))
                .addService(observed(ServerInterceptors.intercept(new AdminService(registry, desk.jobs, desk.records,
                        desk.models, desk.jobsDir, der(kit), console::get), interceptor), observer))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            desk.close();
            throw new ConfigException("cannot listen on " + listen + ": " + e.getMessage()
                    + "; is another coordinator running, or set settings.listen in the kit");
        }
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coordinator-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                if (crl.refresh()) {
                    own.check();
                }
                federation.sweep();
                desk.jobs.tick();
                refusals.flush();
            } catch (RuntimeException e) {
                LOG.error("housekeeping failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);
        LOG.info("coordinator of project {} listening on {}:{} (TLS 1.3, client certificates required)",
                kit.identity().project(), listen.host(), server.getPort());
        return new CoordinatorServer(kit, server, federation, registry, housekeeping, desk, verifier, listen.host(),
                clock, console);
    }

    /**
     * Starts the web console on {@code port} (0: any free port) of the address the coordinator
     * listens on, with its certificate; {@code medveil console open} then hands out login links.
     */
    public synchronized ConsoleServer openConsole(int port) {
        if (console.get() != null) {
            return console.get();
        }
        ConsoleBackend backend = new ConsoleBackend() {
            @Override
            public List<JobStatus> jobs() {
                return desk.jobs.list();
            }

            @Override
            public JobStatus job(String jobId) {
                return desk.jobs.status(jobId);
            }

            @Override
            public List<CoordinatorStore.RoundPhase> phases(String jobId) {
                return desk.store.phases(jobId);
            }

            @Override
            public JobStatus abort(String jobId, String reason, String by) {
                return desk.jobs.abort(jobId, reason, by);
            }

            @Override
            public List<SiteView> sites() {
                return registry.list().stream().map(s -> new SiteView(s.getName(),
                        s.getState().name().toLowerCase(java.util.Locale.ROOT),
                        s.hasLastHeartbeat() ? instant(s.getLastHeartbeat()) : null,
                        s.hasConnectedSince() ? instant(s.getConnectedSince()) : null, s.getSoftwareVersion(),
                        s.getCertificateFingerprint(), registry.certificateNotAfter(s.getName()),
                        s.hasRevokedAt() ? instant(s.getRevokedAt()) : null)).toList();
            }

            @Override
            public Path manifestFolder(String jobId) {
                return desk.jobsDir.resolve(jobId).resolve("manifests");
            }

            @Override
            public X509Certificate projectCa() {
                return kit.caCertificate();
            }

            @Override
            public String refusal(X509Certificate userCertificate) {
                try {
                    verifier.verify(userCertificate, Set.of(Kind.USER));
                    return null;
                } catch (PeerRefusedException e) {
                    return e.getMessage();
                }
            }
        };
        ConsoleServer c = ConsoleServer.start(kit, bindHost, port, kit.coordinatorAddress().host(), backend,
                new ConsoleLogins(clock, Duration.ofSeconds(60), Duration.ofHours(8)));
        console.set(c);
        return c;
    }

    private static java.time.Instant instant(com.google.protobuf.Timestamp t) {
        return java.time.Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static byte[] der(Kit kit) {
        try {
            return kit.certificate().getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new PkiException("the coordinator's certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public Kit kit() {
        return kit;
    }

    public int liveSessions() {
        return federation.liveSessions();
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        ConsoleServer web = console.getAndSet(null);
        if (web != null) {
            web.close();
        }
        housekeeping.shutdownNow();
        federation.shutdown();
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        registry.close();
        desk.close();
        LOG.info("coordinator stopped");
    }
}
