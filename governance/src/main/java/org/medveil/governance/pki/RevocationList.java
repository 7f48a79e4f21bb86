package org.medveil.governance.pki;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The project CRL as the coordinator sees it: read from a file and re-read when the file
 * changes, at most once per {@code checkInterval}. A CRL whose signature does not verify
 * against the project CA is ignored (the previous one stays in force) and logged.
 */
public final class RevocationList {

    private static final Logger LOG = LoggerFactory.getLogger(RevocationList.class);

    private final Path file;
    private final X509Certificate ca;
    private final Clock clock;
    private final Duration checkInterval;
    private volatile X509CRL crl;
    private FileTime loadedStamp;
    private volatile Instant lastCheck = Instant.MIN;

    public RevocationList(Path file, X509Certificate ca, Clock clock, Duration checkInterval) {
        this.file = file;
        this.ca = ca;
        this.clock = clock;
        this.checkInterval = checkInterval;
        if (file != null) {
            this.crl = read(file);
            this.loadedStamp = stamp();
        }
    }

    /** A list that never revokes anything (a kit without a CRL file). */
    public static RevocationList none(X509Certificate ca) {
        return new RevocationList(null, ca, Clock.systemUTC(), Duration.ZERO);
    }

    public boolean isRevoked(X509Certificate cert) {
        refreshIfDue();
        X509CRL current = crl;
        return current != null && current.isRevoked(cert);
    }

    /** Re-reads the file if it changed since the last load; returns true when a new CRL took effect. */
    public synchronized boolean refresh() {
        if (file == null) {
            return false;
        }
        lastCheck = clock.instant();
        FileTime now = stamp();
        if (now == null || now.equals(loadedStamp)) {
            return false;
        }
        try {
            X509CRL fresh = read(file);
            crl = fresh;
            loadedStamp = now;
            LOG.info("reloaded CRL {}: {} revoked certificate(s)", file.getFileName(),
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

    private FileTime stamp() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }
}
