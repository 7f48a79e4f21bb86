package org.medveil.site.admin;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.Grpc;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.PeerRefusedException;
import org.medveil.governance.pki.PeerVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Set;

/**
 * The authenticated caller of an admin RPC: identity and role from the TLS client certificate
 * (never from a message field), and its SHA-256 fingerprint, the actor of audit records. The
 * interceptor re-checks the certificate on every call (a connection may outlive a revocation).
 */
record AdminCaller(Identity identity, String fingerprint) {

    static final Context.Key<AdminCaller> KEY = Context.key("medveil-admin-caller");
    private static final Logger LOG = LoggerFactory.getLogger("org.medveil.site.admin.security");

    static AdminCaller current() {
        AdminCaller c = KEY.get();
        if (c == null) {
            throw new IllegalStateException("admin RPC without an authenticated caller");
        }
        return c;
    }

    /** Puts the caller into the call's context, or closes the call UNAUTHENTICATED. */
    static ServerInterceptor interceptor(PeerVerifier verifier) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                                 ServerCallHandler<Q, R> next) {
                X509Certificate cert = peer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                if (cert == null) {
                    call.close(Status.UNAUTHENTICATED.withDescription("a user kit's client certificate is required"),
                            new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                Identity id;
                try {
                    id = verifier.verify(cert, Set.of(Kind.USER));
                } catch (PeerRefusedException e) {
                    LOG.warn("refused admin call {}: {}", call.getMethodDescriptor().getBareMethodName(), e.getMessage());
                    call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                Context ctx = Context.current().withValue(KEY, new AdminCaller(id, Certificates.fingerprint(cert)));
                return Contexts.interceptCall(ctx, call, headers, next);
            }
        };
    }

    private static X509Certificate peer(SSLSession session) {
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
