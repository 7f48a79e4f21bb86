package org.medveil.coordinator;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import org.medveil.governance.config.ConfigException;
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

    private CoordinatorServer(Kit kit, Server server, FederationService federation, SiteRegistry registry,
                              ScheduledExecutorService housekeeping, JobDesk desk) {
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
                        desk.models, desk.jobsDir, der(kit)), interceptor), observer))
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
        return new CoordinatorServer(kit, server, federation, registry, housekeeping, desk);
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
