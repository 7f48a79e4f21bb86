package org.medveil.coordinator;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.PeerRefusedException;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.proto.Trailers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;

/**
 * Turns the TLS peer certificate of every call into an {@link Identity}, re-checks it (a
 * connection may outlive its certificate's revocation or expiry) and applies the
 * {@link AccessPolicy}. Refusals are logged with the reason and the certificate fingerprint,
 * rate-limited per certificate, and the refused caller gets the reason as trailers
 * ({@link Trailers}) so it can say what happened in one line.
 */
final class CallerInterceptor implements ServerInterceptor {

    static final Context.Key<Caller> CALLER = Context.key("medveil-caller");
    static final Logger SECURITY = LoggerFactory.getLogger("org.medveil.coordinator.security");

    /** The authenticated caller of the current RPC; {@code host} is the address it connects from. */
    record Caller(Identity identity, X509Certificate certificate, String fingerprint, String host) {
    }

    private final PeerVerifier verifier;
    private final AccessPolicy policy;
    private final RefusalLog refusals;

    CallerInterceptor(PeerVerifier verifier, AccessPolicy policy, RefusalLog refusals) {
        this.verifier = verifier;
        this.policy = policy;
        this.refusals = refusals;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                         ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        String host = TlsHandshakes.host(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        X509Certificate cert = peerCertificate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (cert == null) {
            refusals.refused("nocert:" + host, "calls without a client certificate from " + host,
                    Map.of("event", "refused", "reason", "NO_CERTIFICATE", "peer", host),
                    "refused {} from {}: no client certificate", method, host);
            call.close(Status.UNAUTHENTICATED.withDescription("a client certificate is required"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Identity id;
        try {
            id = verifier.verify(cert, Set.of(Kind.SITE, Kind.USER));
        } catch (PeerRefusedException e) {
            refusals.refused("cert:" + e.fingerprint(), "certificate sha256:" + e.fingerprint() + " (" + e.reason().text() + ")",
                    Map.of("event", "refused", "reason", e.reason().name(), "fingerprint", e.fingerprint(), "peer", host),
                    "refused {} from {}: {}", method, host, e.getMessage());
            Metadata trailers = new Metadata();
            trailers.put(Trailers.REFUSAL, e.reason().name());
            if (e.at() != null) {
                trailers.put(Trailers.REFUSAL_AT, e.at().toString());
            }
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), trailers);
            return new ServerCall.Listener<>() { };
        }
        String fp = Certificates.fingerprint(cert);
        String denial = policy.denial(method, id);
        if (denial != null) {
            refusals.refused("deny:" + fp + ":" + method, "calls of " + method + " with certificate sha256:" + fp,
                    Map.of("event", "denied", "method", method, "fingerprint", fp, "peer", host),
                    "refused {}; certificate sha256:{}", denial, fp);
            call.close(Status.PERMISSION_DENIED.withDescription(denial), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Context ctx = Context.current().withValue(CALLER, new Caller(id, cert, fp, host));
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    private static X509Certificate peerCertificate(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
