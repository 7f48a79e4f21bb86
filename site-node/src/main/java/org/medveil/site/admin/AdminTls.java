package org.medveil.site.admin;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslCertificateException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PeerRefusedException;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.TlsMaterial;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.function.Consumer;

/**
 * TLS 1.3 contexts of the admin API. Server: the site kit's certificate, client certificates
 * required, only user certificates of this project's CA (a site kit, the coordinator's or another
 * CA's are refused in the handshake). Client: a user kit, and the server must be a site of the
 * same project.
 */
final class AdminTls {

    private AdminTls() {
    }

    static SslContext server(Kit site, PeerVerifier verifier, Consumer<PeerRefusedException> onRefusal) {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(TlsMaterial.keyManagers(site)))
                    .trustManager(TlsMaterial.clientVerifier(verifier, site.caCertificate(), Set.of(Kind.USER), e -> {
                        onRefusal.accept(e);
                        return new OpenSslCertificateException(e.getMessage(), e, e.reason().x509Error());
                    }))
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols("TLSv1.3")
                    .build();
        } catch (SSLException e) {
            throw new PkiException("cannot set up the admin API's TLS from kit " + site.dir() + ": " + e.getMessage(), e);
        }
    }

    static SslContext client(Kit user, PeerVerifier verifier) {
        try {
            return GrpcSslContexts.forClient()
                    .keyManager(TlsMaterial.keyManagers(user))
                    .trustManager(new SiteServerTrust(verifier, user.caCertificate()))
                    .protocols("TLSv1.3")
                    .build();
        } catch (SSLException e) {
            throw new PkiException("cannot set up TLS from kit " + user.dir() + ": " + e.getMessage(), e);
        }
    }

    /** Client side: the admin server must present a site certificate of this project's CA. */
    private static final class SiteServerTrust extends X509ExtendedTrustManager {
        private final PeerVerifier verifier;
        private final X509Certificate ca;

        SiteServerTrust(PeerVerifier verifier, X509Certificate ca) {
            this.verifier = verifier;
            this.ca = ca;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            try {
                verifier.verify(chain, Set.of(Kind.SITE));
            } catch (PeerRefusedException e) {
                throw new OpenSslCertificateException("the admin API's certificate is not a site of this project: "
                        + e.getMessage(), e, e.reason().x509Error());
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this endpoint does not accept clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException {
            throw new CertificateException("this endpoint does not accept clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException {
            throw new CertificateException("this endpoint does not accept clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {ca};
        }
    }
}
