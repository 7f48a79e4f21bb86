package org.medveil.coordinator;

import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslCertificateException;
import org.medveil.governance.pki.PeerRefusedException;

import java.security.cert.CertificateException;

/**
 * Makes a refused certificate produce the TLS alert that says why. netty's OpenSSL (BoringSSL)
 * engine turns a trust manager's exception into an alert through the OpenSSL verification code
 * an {@link OpenSslCertificateException} carries; any other exception becomes internal_error,
 * which tells the client nothing.
 */
final class TlsAlerts {
    private TlsAlerts() {
    }

    static CertificateException forRefusal(PeerRefusedException e) {
        return new OpenSslCertificateException(e.getMessage(), e, e.reason().x509Error());
    }
}
