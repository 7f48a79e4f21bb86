package org.medveil.site.admin;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.governance.policy.AccessPolicy;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteKeystore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The site node's local admin API (REQ-STO-4, USE-1, USE-3): gRPC over TLS 1.3 on the configured
 * address (loopback by default), presenting the site kit's certificate and admitting only user
 * kits of the same project CA, whose certificate carries the role. Every operator command goes
 * through it; every call is decided by the {@link AccessPolicy} and audited (see
 * {@link SiteAdminService}). Start it with {@link #start}; {@link #close} stops it.
 */
public final class SiteAdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SiteAdminServer.class);
    /** Consent and label files travel in one message. */
    static final int MAX_MESSAGE_BYTES = 64 << 20;

    private final Server server;
    private final String address;

    private SiteAdminServer(Server server, String address) {
        this.server = server;
        this.address = address;
    }

    /** As {@link #start(Kit, SiteConfig.AdminSettings, ObjectStore, SiteKeystore, AuditLog, AccessPolicy, Clock, WithdrawalHandler)} with no withdrawal handler. */
    public static SiteAdminServer start(Kit site, SiteConfig.AdminSettings settings, ObjectStore store,
                                        SiteKeystore keystore, AuditLog audit, AccessPolicy policy, Clock clock) {
        return start(site, settings, store, keystore, audit, policy, clock, WithdrawalHandler.NONE);
    }

    /**
     * @param site        the site kit: its certificate is presented, its CA and CRL admit users
     * @param settings    bind address and port ({@code port} 0 picks a free port, for tests)
     * @param withdrawals told of each recorded consent withdrawal (lifecycle: destruction of derived data)
     */
    public static SiteAdminServer start(Kit site, SiteConfig.AdminSettings settings, ObjectStore store,
                                        SiteKeystore keystore, AuditLog audit, AccessPolicy policy, Clock clock,
                                        WithdrawalHandler withdrawals) {
        return start(site, settings, store, keystore, audit, policy, clock, withdrawals, null);
    }

    /**
     * The full API: backups, archives and destruction through {@code lifecycle}, and a consent
     * withdrawal destroys the patient's derivatives ({@link WithdrawalHandler#destroying}).
     */
    public static SiteAdminServer start(Kit site, SiteConfig.AdminSettings settings, ObjectStore store,
                                        SiteKeystore keystore, AuditLog audit, AccessPolicy policy, Clock clock,
                                        AdminLifecycle lifecycle) {
        return start(site, settings, store, keystore, audit, policy, clock,
                WithdrawalHandler.destroying(lifecycle.destruction()), lifecycle);
    }

    private static SiteAdminServer start(Kit site, SiteConfig.AdminSettings settings, ObjectStore store,
                                         SiteKeystore keystore, AuditLog audit, AccessPolicy policy, Clock clock,
                                         WithdrawalHandler withdrawals, AdminLifecycle lifecycle) {
        if (site.identity().kind() != Kind.SITE) {
            throw new PkiException("kit " + site.dir() + " belongs to " + site.identity().describe()
                    + "; the admin API runs with the site's kit");
        }
        RevocationList crl = RevocationList.of(site, clock, Duration.ofSeconds(30));
        PeerVerifier verifier = new PeerVerifier(site.caCertificate(), site.identity().project(), crl, clock);
        SiteAdminService service = new SiteAdminService(site, store, keystore, audit, policy, clock, withdrawals,
                lifecycle);
        String address = settings.bindAddress() + ":" + settings.port();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(settings.bindAddress(), settings.port()))
                .sslContext(AdminTls.server(site, verifier,
                        e -> LOG.warn("refused admin client in the TLS handshake: {}", e.getMessage())))
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .addService(ServerInterceptors.intercept(service, AdminCaller.interceptor(verifier)))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new ConfigException("the admin API cannot listen on " + address + ": " + e.getMessage()
                    + "; is another site node running? Set admin.port in site.yaml to use another port");
        }
        LOG.info("admin API listening on {}:{} (TLS 1.3, user kits of project {} only)", settings.bindAddress(),
                server.getPort(), site.identity().project());
        return new SiteAdminServer(server, address);
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.info("admin API on {} stopped", address);
    }
}
