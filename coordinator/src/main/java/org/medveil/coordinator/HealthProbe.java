package org.medveil.coordinator;

import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PkiException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * Health check of a coordinator from its own kit, for container healthchecks and supervisors.
 *
 * <p>The coordinator admits only site and user certificates, so its own kit cannot make a call.
 * The probe therefore opens a TLS 1.3 connection to the coordinator's port and checks that the
 * certificate the server sends is exactly this kit's certificate; then it hangs up before
 * finishing the handshake. The server sees a connection closed during the handshake, which it
 * logs at debug level only, so a probe every few seconds does not fill the coordinator's log.
 *
 * <p>What it shows: a process is listening on the port, its TLS stack is up and it presents this
 * coordinator's certificate. What it does not show: that the gRPC services answer calls (use
 * {@code medveil sites list} with a user kit for that), nor that the server holds the private key
 * (the probe stops before the server's signature is checked).
 */
public final class HealthProbe {

    /** The outcome: healthy or not, and one line saying what was found. */
    public record Result(boolean healthy, String line) {
    }

    private HealthProbe() {
    }

    /** The address to probe: the kit's settings.listen if set (a wildcard host becomes loopback), else loopback and the kit's port. */
    public static HostNames.HostPort defaultTarget(Kit kit) {
        CoordinatorSettings s = kit.settings(CoordinatorSettings.class, CoordinatorSettings.DEFAULTS);
        if (s.listen() == null) {
            return new HostNames.HostPort("127.0.0.1", kit.coordinatorAddress().port());
        }
        HostNames.HostPort listen = HostNames.parse(s.listen());
        boolean wildcard = listen.host().equals("0.0.0.0") || listen.host().equals("::") || listen.host().equals("[::]");
        return wildcard ? new HostNames.HostPort("127.0.0.1", listen.port()) : listen;
    }

    public static Result check(Kit kit, HostNames.HostPort target, Duration timeout) {
        if (kit.identity().kind() != Kind.COORDINATOR) {
            throw new PkiException("kit " + kit.dir() + " belongs to " + kit.identity().describe()
                    + "; 'medveil health' checks a coordinator from the coordinator's kit (a site node has no"
                    + " port to probe: supervise its process and exit code)");
        }
        String expected = kit.fingerprint();
        String[] seen = new String[1];
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(target.host(), target.port()), (int) timeout.toMillis());
            raw.setSoTimeout((int) timeout.toMillis());
        } catch (IOException e) {
            close(raw);
            return new Result(false, "unhealthy: nothing accepts connections at " + target + " (" + e.getMessage() + ")");
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, new X509TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    throw new CertificateException("not a server");
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    seen[0] = chain.length == 0 ? "" : Certificates.fingerprint(chain[0]);
                    // Hang up here: enough is known, and a finished handshake without a client
                    // certificate would be logged by the coordinator as a refusal.
                    close(raw);
                    throw new CertificateException("probe done");
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(raw, target.host(), target.port(), true)) {
                tls.setEnabledProtocols(new String[] {"TLSv1.3"});
                tls.startHandshake();
            } catch (IOException e) {
                // expected: the trust manager ends every handshake; what it saw decides
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java has no TLS 1.3: " + e.getMessage(), e);
        } finally {
            close(raw);
        }
        if (seen[0] == null) {
            return new Result(false, "unhealthy: " + target + " accepts connections but sent no TLS certificate"
                    + " (not a coordinator, or it is not serving TLS 1.3)");
        }
        if (!seen[0].equals(expected)) {
            return new Result(false, "unhealthy: " + target + " presents certificate sha256:" + abbrev(seen[0])
                    + ", not this kit's sha256:" + abbrev(expected) + " (another server on the port, or a renewed kit"
                    + " not yet loaded: restart the coordinator)");
        }
        return new Result(true, "healthy: the coordinator at " + target + " serves TLS 1.3 with this kit's certificate"
                + " sha256:" + abbrev(expected));
    }

    private static String abbrev(String fp) {
        return fp.length() > 16 ? fp.substring(0, 16) : fp;
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
