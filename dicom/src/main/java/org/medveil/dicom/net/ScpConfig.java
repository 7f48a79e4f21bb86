package org.medveil.dicom.net;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a storage SCP.
 *
 * @param aeTitle          our AE title; associations calling another AE are rejected
 * @param bindAddress      address to listen on, e.g. "0.0.0.0" or "127.0.0.1"
 * @param port             TCP port, 0 for any free port
 * @param allowedCallingAes calling AE titles accepted; empty accepts any
 * @param allowedHosts     peer IP addresses accepted; empty accepts any
 * @param maxPduLength     largest P-DATA-TF PDU we accept (and announce)
 * @param artim            association request/release timer (PS3.8 §9.1.5)
 * @param idleTimeout      longest silence inside an established association
 * @param maxAssociations  concurrent associations; more are rejected (transient, local limit)
 * @param tls              TLS context with the site certificate, or null for plain TCP
 * @param needClientAuth   with TLS: require a client certificate trusted by {@code tls}
 * @param maxObjectBytes   largest data set accepted; a bigger one aborts the association (disk protection)
 * @param requestTimeout   deadline from TCP accept to a complete A-ASSOCIATE-RQ; then the socket is
 *                         closed and its association slot freed (idle connections must not hold slots)
 */
public record ScpConfig(String aeTitle, String bindAddress, int port, Set<String> allowedCallingAes,
                        Set<String> allowedHosts, int maxPduLength, Duration artim, Duration idleTimeout,
                        int maxAssociations, SSLContext tls, boolean needClientAuth, long maxObjectBytes,
                        Duration requestTimeout) {
    public ScpConfig {
        Objects.requireNonNull(aeTitle, "aeTitle");
        if (aeTitle.isBlank() || aeTitle.length() > 16) {
            throw new IllegalArgumentException("AE title must be 1 to 16 characters, got '" + aeTitle + "'");
        }
        if (maxPduLength < 4096 || maxPduLength > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("max PDU length must be between 4096 and 16 MiB, got " + maxPduLength);
        }
        if (maxObjectBytes < 1) {
            throw new IllegalArgumentException("max object size must be positive");
        }
        if (maxAssociations < 1) {
            throw new IllegalArgumentException("max associations must be at least 1");
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("association request timeout must be positive");
        }
        allowedCallingAes = Set.copyOf(allowedCallingAes);
        allowedHosts = Set.copyOf(allowedHosts);
    }

    /**
     * Defaults: all interfaces, any caller, 64 KiB PDUs, 10 s ARTIM, 5 min idle, 16 associations, no TLS, 4 GiB objects,
     * 5 s from accept to A-ASSOCIATE-RQ (a real SCU sends it at once; 16 slots / 5 s means a peer must open more
     * than 3 idle connections a second, sustained, to keep them all).
     */
    public static ScpConfig of(String aeTitle, int port) {
        return new ScpConfig(aeTitle, "0.0.0.0", port, Set.of(), Set.of(), 65536, Duration.ofSeconds(10),
                Duration.ofMinutes(5), 16, null, false, 4L << 30, Duration.ofSeconds(5));
    }

    public ScpConfig withBindAddress(String address) {
        return new ScpConfig(aeTitle, address, port, allowedCallingAes, allowedHosts, maxPduLength, artim, idleTimeout, maxAssociations, tls, needClientAuth, maxObjectBytes, requestTimeout);
    }

    public ScpConfig withAllowedCallingAes(Set<String> aes) {
        return new ScpConfig(aeTitle, bindAddress, port, aes, allowedHosts, maxPduLength, artim, idleTimeout, maxAssociations, tls, needClientAuth, maxObjectBytes, requestTimeout);
    }

    public ScpConfig withAllowedHosts(Set<String> hosts) {
        return new ScpConfig(aeTitle, bindAddress, port, allowedCallingAes, hosts, maxPduLength, artim, idleTimeout, maxAssociations, tls, needClientAuth, maxObjectBytes, requestTimeout);
    }

    public ScpConfig withArtim(Duration d) {
        return new ScpConfig(aeTitle, bindAddress, port, allowedCallingAes, allowedHosts, maxPduLength, d, idleTimeout, maxAssociations, tls, needClientAuth, maxObjectBytes, requestTimeout);
    }

    public ScpConfig withMaxAssociations(int n) {
        return new ScpConfig(aeTitle, bindAddress, port, allowedCallingAes, allowedHosts, maxPduLength, artim, idleTimeout, n, tls, needClientAuth, maxObjectBytes, requestTimeout);
    }

    public ScpConfig withMaxPduLength(int n) {
        return new ScpConfig(aeTitle, bindAddress, port, allowedCallingAes, allowedHosts, n, artim, idleTimeout, maxAssociations, tls, needClientAuth, maxObjectBytes, requestTimeout);
    }

    public ScpConfig withMaxObjectBytes(long n) {
        return new ScpConfig(aeTitle, bindAddress, port, allowedCallingAes, allowedHosts, maxPduLength, artim, idleTimeout, maxAssociations, tls, needClientAuth, n, requestTimeout);
    }

    public ScpConfig withRequestTimeout(Duration d) {
        return new ScpConfig(aeTitle, bindAddress, port, allowedCallingAes, allowedHosts, maxPduLength, artim, idleTimeout, maxAssociations, tls, needClientAuth, maxObjectBytes, d);
    }

    public ScpConfig withTls(SSLContext context, boolean requireClientCertificate) {
        return new ScpConfig(aeTitle, bindAddress, port, allowedCallingAes, allowedHosts, maxPduLength, artim, idleTimeout, maxAssociations, context, requireClientCertificate, maxObjectBytes, requestTimeout);
    }
}
