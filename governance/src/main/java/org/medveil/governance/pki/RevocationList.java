package org.medveil.governance.pki;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The project CRL as a daemon or a user command sees it: read once from a kit's {@code crl.pem}
 * and re-read when the file changes, at most once per {@code checkInterval}. Provisioning
 * replaces the file atomically (write, then rename), so a re-read sees either the old or the
 * new CRL, never half a file; a file that is missing, unreadable or not signed by the project
 * CA is ignored and logged, and the CRL in force stays in force.
 */
public final class RevocationList {

    private static final Logger LOG = LoggerFactory.getLogger(RevocationList.class);

    /** One revoked certificate: when, and why (RFC 5280 reason; superseded means renewed, not shut out). */
    public record Revocation(BigInteger serial, Instant at, CRLReason reason) {
        /** True when the holder was shut out, false when the certificate was only replaced by a renewal. */
        public boolean shutOut() {
            return reason != CRLReason.SUPERSEDED;
        }
    }

    /** What identifies one version of the file: a rename onto it changes the file key even within one mtime tick. */
    private record Stamp(Object fileKey, Instant modified, long size) {
    }

    private final Path file;
    private final X509Certificate ca;
    private final Clock clock;
    private final Duration checkInterval;
    private volatile X509CRL crl;
    private Stamp loadedStamp;
    private volatile Instant lastCheck = Instant.MIN;

    public RevocationList(Path file, X509Certificate ca, Clock clock, Duration checkInterval) {
        this.file = file;
        this.ca = ca;
        this.clock = clock;
        this.checkInterval = checkInterval;
        if (file != null) {
            this.loadedStamp = stamp();
            this.crl = read(file);
            this.lastCheck = clock.instant();
        }
    }

    /** A list that never revokes anything (a kit without a CRL file). */
    public static RevocationList none(X509Certificate ca) {
        return new RevocationList(null, ca, Clock.systemUTC(), Duration.ZERO);
    }

    /** The kit's CRL, or {@link #none} for a kit made before kits carried one. */
    public static RevocationList of(Kit kit, Clock clock, Duration checkInterval) {
        Path f = kit.crlFile();
        return f == null ? none(kit.caCertificate()) : new RevocationList(f, kit.caCertificate(), clock, checkInterval);
    }

    public Path file() {
        return file;
    }

    public boolean isRevoked(X509Certificate cert) {
        refreshIfDue();
        X509CRL current = crl;
        return current != null && current.isRevoked(cert);
    }

    /** The CRL entry for {@code cert}, if it is revoked. */
    public Optional<Revocation> revocation(X509Certificate cert) {
        return revocation(cert.getSerialNumber());
    }

    public Optional<Revocation> revocation(BigInteger serial) {
        refreshIfDue();
        X509CRL current = crl;
        if (current == null || serial == null) {
            return Optional.empty();
        }
        X509CRLEntry e = current.getRevokedCertificate(serial);
        if (e == null) {
            return Optional.empty();
        }
        return Optional.of(new Revocation(serial, e.getRevocationDate().toInstant(),
                Objects.requireNonNullElse(e.getRevocationReason(), CRLReason.UNSPECIFIED)));
    }

    /** Re-reads the file if it changed since the last load; returns true when a new CRL took effect. */
    public synchronized boolean refresh() {
        if (file == null) {
            return false;
        }
        lastCheck = clock.instant();
        Stamp now = stamp();
        if (now == null || now.equals(loadedStamp)) {
            return false;
        }
        try {
            X509CRL fresh = read(file);
            crl = fresh;
            loadedStamp = now;
            LOG.info("reloaded CRL {}: {} revoked certificate(s)", file,
                    fresh.getRevokedCertificates() == null ? 0 : fresh.getRevokedCertificates().size());
            return true;
        } catch (PkiException e) {
            loadedStamp = now; // do not retry the same broken file on every handshake
            LOG.error("ignoring CRL {}: {}; the previous CRL stays in force", file, e.getMessage());
            return false;
        }
    }

    private void refreshIfDue() {
        if (file != null && Duration.between(lastCheck, clock.instant()).compareTo(checkInterval) >= 0) {
            refresh();
        }
    }

    private X509CRL read(Path f) {
        X509CRL c = Pem.readCrl(f);
        try {
            c.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PkiException("CRL " + f + " is not signed by the project CA");
        }
        return c;
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.lastModifiedTime().toInstant(), a.size());
        } catch (IOException e) {
            return null;
        }
    }
}
