package org.medveil.site.admin;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.siteadmin.SiteAdminGrpc;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An operator's connection to a site node's admin API with a user kit: TLS 1.3, the kit's
 * certificate as the client certificate, and the server must be a site of the kit's project.
 * {@link #explain} turns a failed call into one line for the command line.
 */
public final class SiteAdminClient implements AutoCloseable {

    /** Where operator commands look by default: the site node on this host. */
    public static final String DEFAULT_ADDRESS = "localhost:8444";

    private final ManagedChannel channel;
    private final HostNames.HostPort target;

    private SiteAdminClient(ManagedChannel channel, HostNames.HostPort target) {
        this.channel = channel;
        this.target = target;
    }

    public static SiteAdminClient connect(Kit user, HostNames.HostPort target) {
        if (user.identity().kind() != Kind.USER) {
            throw new PkiException("kit " + user.dir() + " belongs to " + user.identity().describe()
                    + "; operator commands need your user kit (from 'medveil provision add-user')");
        }
        Clock clock = Clock.systemUTC();
        PeerVerifier verifier = new PeerVerifier(user.caCertificate(), user.identity().project(),
                RevocationList.of(user, clock, Duration.ZERO), clock);
        ManagedChannel ch = NettyChannelBuilder.forAddress(target.host(), target.port())
                .sslContext(AdminTls.client(user, verifier))
                .maxInboundMessageSize(SiteAdminServer.MAX_MESSAGE_BYTES)
                .build();
        return new SiteAdminClient(ch, target);
    }

    /** A blocking stub with a deadline; verification of a large store may take a while. */
    public SiteAdminGrpc.SiteAdminBlockingStub stub() {
        return SiteAdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES);
    }

    /** One line saying what went wrong and what to do. */
    public String explain(StatusRuntimeException e) {
        Status s = e.getStatus();
        String d = s.getDescription() == null ? "" : s.getDescription();
        return switch (s.getCode()) {
            case PERMISSION_DENIED -> "refused by the site's access policy: " + d;
            case UNAUTHENTICATED -> "the site node refused your certificate: " + d;
            case UNAVAILABLE -> "cannot reach the site node's admin API at " + target.host() + ":" + target.port()
                    + (s.getCause() != null && s.getCause().getMessage() != null ? " (" + rootMessage(s.getCause()) + ")" : "")
                    + "; is 'medveil site serve' running there, and does your kit belong to this site's project?"
                    + " (--admin HOST:PORT, default " + DEFAULT_ADDRESS + ")";
            case DEADLINE_EXCEEDED -> "the site node did not answer in time";
            default -> d.isEmpty() ? s.getCode().toString() : d;
        };
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
