package org.medveil.governance.pki;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;

/**
 * The JDK-level TLS pieces built from a kit, independent of any transport library: the key
 * manager that presents the kit's certificate, the server-side trust manager that admits only
 * this project's sites and users, and the client-side trust manager that admits only this
 * project's coordinator under the expected host name.
 */
public final class TlsMaterial {

    private TlsMaterial() {
    }

    public static KeyManagerFactory keyManagers(Kit kit) {
        try {
            char[] password = new char[0]; // in-memory store only, never written
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, password);
            ks.setKeyEntry("kit", kit.privateKey(), password,
                    new X509Certificate[] {kit.certificate(), kit.caCertificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            return kmf;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new PkiException("cannot use the key of kit " + kit.dir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a trust manager throws when it refuses a peer. The default throws the refusal itself;
     * a transport can map it to an exception its TLS library turns into the matching alert (see
     * {@link PeerRefusedException.Reason#x509Error()}), and log it on the way.
     */
    @FunctionalInterface
    public interface Refusals {
        CertificateException onRefusal(PeerRefusedException e);

        Refusals THROW = e -> e;
    }

    /** Server side: admits clients whose certificate passes {@code verifier} for one of {@code kinds}. */
    public static X509ExtendedTrustManager clientVerifier(PeerVerifier verifier, X509Certificate ca, Set<Kind> kinds,
                                                          Refusals refusals) {
        return new BaseTrustManager(ca) {
            @Override
            void checkClient(X509Certificate[] chain) throws CertificateException {
                try {
                    verifier.verify(chain, kinds);
                } catch (PeerRefusedException e) {
                    throw refusals.onRefusal(e);
                }
            }
        };
    }

    /** Client side: admits only this project's coordinator, whose certificate must name {@code host}. */
    public static X509ExtendedTrustManager coordinatorVerifier(PeerVerifier verifier, X509Certificate ca, String host,
                                                               Refusals refusals) {
        return new BaseTrustManager(ca) {
            @Override
            void checkServer(X509Certificate[] chain) throws CertificateException {
                try {
                    verifier.verify(chain, Set.of(Kind.COORDINATOR));
                    if (!namesHost(chain[0], host)) {
                        throw new PeerRefusedException(PeerRefusedException.Reason.WRONG_KIND,
                                Certificates.fingerprint(chain[0]), "coordinator certificate does not name host " + host);
                    }
                } catch (PeerRefusedException e) {
                    throw refusals.onRefusal(e);
                }
            }
        };
    }

    private static boolean namesHost(X509Certificate cert, String host) {
        try {
            var sans = cert.getSubjectAlternativeNames();
            if (sans == null) {
                return false;
            }
            for (var san : sans) {
                int type = (Integer) san.get(0);
                if ((type == 2 || type == 7) && host.equalsIgnoreCase((String) san.get(1))) {
                    return true;
                }
            }
            return false;
        } catch (CertificateException e) {
            return false;
        }
    }

    /** Routes every overload to checkClient / checkServer; unused directions refuse. */
    private abstract static class BaseTrustManager extends X509ExtendedTrustManager {
        private final X509Certificate ca;

        BaseTrustManager(X509Certificate ca) {
            this.ca = ca;
        }

        void checkClient(X509Certificate[] chain) throws CertificateException {
            throw new CertificateException("this endpoint does not accept clients");
        }

        void checkServer(X509Certificate[] chain) throws CertificateException {
            throw new CertificateException("this endpoint does not accept servers");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            checkClient(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClient(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClient(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            checkServer(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServer(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServer(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {ca};
        }
    }
}
