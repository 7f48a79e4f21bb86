package org.medveil.site;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.governance.pki.TlsMaterial;

import javax.net.ssl.SSLException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A mutually authenticated TLS 1.3 channel to the project's coordinator, from any kit (a site's
 * or a user's). The coordinator must present a certificate of this project's CA, of kind
 * coordinator, naming the host dialled.
 */
public final class CoordinatorChannel {

    private CoordinatorChannel() {
    }

    public static ManagedChannel open(Kit kit, HostNames.HostPort target) {
        PeerVerifier verifier = new PeerVerifier(kit.caCertificate(), kit.identity().project(),
                RevocationList.none(kit.caCertificate()), Clock.systemUTC());
        SslContext ssl;
        try {
            ssl = GrpcSslContexts.forClient()
                    .keyManager(TlsMaterial.keyManagers(kit))
                    .trustManager(TlsMaterial.coordinatorVerifier(verifier, kit.caCertificate(), target.host()))
                    .protocols("TLSv1.3")
                    .build();
        } catch (SSLException e) {
            throw new PkiException("cannot set up TLS from kit " + kit.dir() + ": " + e.getMessage(), e);
        }
        return NettyChannelBuilder.forAddress(target.host(), target.port())
                .sslContext(ssl)
                .keepAliveTime(20, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true)
                .build();
    }
}
