package org.medveil.site;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslCertificateException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.governance.pki.TlsMaterial;

import javax.net.ssl.SSLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Mutually authenticated TLS 1.3 channels to the project's coordinator, from any kit (a site's
 * or a user's). The coordinator must present a certificate of this project's CA, of kind
 * coordinator, naming the host dialled, and not listed in the kit's CRL ({@code crl.pem},
 * re-read when provisioning replaces it). The TLS set-up is built once; {@link #open()} gives a
 * fresh channel per connection attempt, so the caller alone decides when to try again.
 */
public final class CoordinatorChannel {

    /** Bulk parts (a model part is 4 MiB of float32 values) with their framing fit in one message. */
    public static final int MAX_MESSAGE_BYTES = 9 << 20;

    /**
     * The kit's CRL file is checked for a newer copy at every handshake (a stat call; clients
     * connect rarely), so a replaced crl.pem applies from the next connection on.
     */
    static final Duration CRL_CHECK = Duration.ZERO;

    private final Kit kit;
    private final HostNames.HostPort target;
    private final RevocationList crl;
    private final SslContext ssl;

    private CoordinatorChannel(Kit kit, HostNames.HostPort target, RevocationList crl, SslContext ssl) {
        this.kit = kit;
        this.target = target;
        this.crl = crl;
        this.ssl = ssl;
    }

    public static CoordinatorChannel forKit(Kit kit, HostNames.HostPort target) {
        Clock clock = Clock.systemUTC();
        RevocationList crl = RevocationList.of(kit, clock, CRL_CHECK);
        PeerVerifier verifier = new PeerVerifier(kit.caCertificate(), kit.identity().project(), crl, clock);
        SslContext ssl;
        try {
            ssl = GrpcSslContexts.forClient()
                    .keyManager(TlsMaterial.keyManagers(kit))
                    // The matching alert tells the coordinator's log why this kit hung up on it.
                    .trustManager(TlsMaterial.coordinatorVerifier(verifier, kit.caCertificate(), target.host(),
                            e -> new OpenSslCertificateException(e.getMessage(), e, e.reason().x509Error())))
                    .protocols("TLSv1.3")
                    .build();
        } catch (SSLException e) {
            throw new PkiException("cannot set up TLS from kit " + kit.dir() + ": " + e.getMessage(), e);
        }
        return new CoordinatorChannel(kit, target, crl, ssl);
    }

    /** A new channel; the caller shuts it down when done (gRPC would otherwise keep reconnecting it). */
    public ManagedChannel open() {
        return NettyChannelBuilder.forAddress(target.host(), target.port())
                .sslContext(ssl)
                .keepAliveTime(20, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
    }

    public Kit kit() {
        return kit;
    }

    public HostNames.HostPort target() {
        return target;
    }

    public RevocationList crl() {
        return crl;
    }

    /** One clear line for a failed call or connection on a channel of this kit. */
    public Refusal explain(Throwable failure) {
        return Refusal.explain(failure, kit, crl, target);
    }
}
