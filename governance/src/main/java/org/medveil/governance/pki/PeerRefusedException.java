package org.medveil.governance.pki;

import java.security.cert.CertificateException;

/**
 * A peer's certificate was refused. Carries the reason and the certificate's SHA-256
 * fingerprint so the refusal can be logged and traced without logging anything else.
 */
public class PeerRefusedException extends CertificateException {

    public enum Reason {
        NO_CERTIFICATE("no client certificate presented"),
        UNKNOWN_CA("issued by a CA other than this project's"),
        EXPIRED("certificate expired"),
        NOT_YET_VALID("certificate not yet valid"),
        REVOKED("certificate revoked"),
        NO_IDENTITY("certificate carries no MedVeil identity"),
        WRONG_PROJECT("certificate belongs to another project"),
        WRONG_KIND("certificate is of the wrong kind for this use");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Reason reason;
    private final String fingerprint;

    public PeerRefusedException(Reason reason, String fingerprint, String detail) {
        super(reason.text() + (detail == null ? "" : " (" + detail + ")")
                + (fingerprint == null ? "" : "; certificate sha256:" + fingerprint));
        this.reason = reason;
        this.fingerprint = fingerprint;
    }

    public Reason reason() {
        return reason;
    }

    /** Lower-case hex SHA-256 of the DER certificate, or null when there was none. */
    public String fingerprint() {
        return fingerprint;
    }
}
