package org.medveil.governance.pki;

import java.security.cert.CertificateException;
import java.time.Instant;

/**
 * A peer's certificate was refused. Carries the reason and the certificate's SHA-256
 * fingerprint so the refusal can be logged and traced without logging anything else.
 */
public class PeerRefusedException extends CertificateException {

    /**
     * Why a certificate was refused, with the OpenSSL verification error ({@code X509_V_ERR_*},
     * the numbers are OpenSSL's) that tells the TLS library which alert to send the peer:
     * BoringSSL turns 23 into certificate_revoked, 10 into certificate_expired, 20 into
     * unknown_ca, 26 into unsupported_certificate and 9 or 28 into bad_certificate.
     */
    public enum Reason {
        NO_CERTIFICATE("no client certificate presented", 28),
        UNKNOWN_CA("issued by a CA other than this project's", 20),
        EXPIRED("certificate expired", 10),
        NOT_YET_VALID("certificate not yet valid", 9),
        REVOKED("certificate revoked", 23),
        NO_IDENTITY("certificate carries no MedVeil identity", 28),
        WRONG_PROJECT("certificate belongs to another project", 28),
        WRONG_KIND("certificate is of the wrong kind for this use", 26);

        private final String text;
        private final int x509Error;

        Reason(String text, int x509Error) {
            this.text = text;
            this.x509Error = x509Error;
        }

        public String text() {
            return text;
        }

        /** OpenSSL's {@code X509_V_ERR_*} code for this reason. */
        public int x509Error() {
            return x509Error;
        }
    }

    private final Reason reason;
    private final String fingerprint;
    private final Instant at;

    public PeerRefusedException(Reason reason, String fingerprint, String detail) {
        this(reason, fingerprint, detail, null);
    }

    /** @param at when it happened: expiry, start of validity or revocation date; null when not applicable */
    public PeerRefusedException(Reason reason, String fingerprint, String detail, Instant at) {
        super(reason.text() + (detail == null ? "" : " (" + detail + ")")
                + (fingerprint == null ? "" : "; certificate sha256:" + fingerprint));
        this.reason = reason;
        this.fingerprint = fingerprint;
        this.at = at;
    }

    public Reason reason() {
        return reason;
    }

    /** Lower-case hex SHA-256 of the DER certificate, or null when there was none. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Expiry date, start of validity or revocation date, when the reason has one; else null. */
    public Instant at() {
        return at;
    }
}
