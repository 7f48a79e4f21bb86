package org.medveil.coordinator;

import org.medveil.governance.config.ConfigException;
import org.medveil.governance.config.YamlFiles;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.admin.SiteStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every site the coordinator has seen, with its connection state and last heartbeat. Known
 * sites survive a coordinator restart (file {@code sites.yaml} in the state folder) so an
 * operator still sees a site that has not yet reconnected.
 */
final class SiteRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(SiteRegistry.class);
    static final String FILE = "sites.yaml";

    /**
     * What is persisted and shown for one site. Times are ISO-8601 strings; null when unknown.
     * {@code certificateSerial} (hex) lets {@code list()} find the certificate in the CRL;
     * {@code certificateNotAfter} is its expiry (absent in registries written before the console).
     */
    record SiteRecord(String name, String connectedSince, String lastHeartbeat, String softwareVersion,
                      List<String> capabilities, String certificateFingerprint, String certificateSerial,
                      String certificateNotAfter) {
    }

    record Stored(List<SiteRecord> sites) {
    }

    private final Path file;
    private final Clock clock;
    private final Duration staleAfter;
    private final Map<String, SiteRecord> sites = new ConcurrentHashMap<>();
    private final Map<String, String> liveSessions = new ConcurrentHashMap<>();
    private final RevocationList crl;
    private boolean closed;

    SiteRegistry(Path stateDir, Clock clock, Duration staleAfter, RevocationList crl) {
        this.file = stateDir.resolve(FILE);
        this.clock = clock;
        this.staleAfter = staleAfter;
        this.crl = crl;
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new ConfigException("cannot create the coordinator state folder " + stateDir + ": " + e.getMessage());
        }
        if (Files.exists(file)) {
            try {
                Stored s = YamlFiles.read(file, Stored.class);
                if (s.sites() != null) {
                    s.sites().forEach(r -> sites.put(r.name(), r));
                }
            } catch (ConfigException e) {
                // The registry is a convenience: losing it loses no accepted work, so keep serving.
                LOG.error("ignoring unreadable site registry: {}", e.getMessage());
            }
        }
    }

    void connected(String site, String sessionId, String version, List<String> capabilities, String fingerprint,
                   BigInteger serial, Instant notAfter) {
        String now = clock.instant().toString();
        sites.put(site, new SiteRecord(site, now, now, version, List.copyOf(capabilities), fingerprint,
                serial.toString(16), notAfter.toString()));
        liveSessions.put(site, sessionId);
        save();
    }

    void heartbeat(String site) {
        sites.computeIfPresent(site, (k, r) -> new SiteRecord(r.name(), r.connectedSince(), clock.instant().toString(),
                r.softwareVersion(), r.capabilities(), r.certificateFingerprint(), r.certificateSerial(),
                r.certificateNotAfter()));
    }

    /** Marks the site gone, unless a newer session of the same site has taken over. */
    void disconnected(String site, String sessionId) {
        if (liveSessions.remove(site, sessionId)) {
            save();
        }
    }

    List<SiteStatus> list() {
        List<SiteStatus> out = new ArrayList<>();
        Instant now = clock.instant();
        for (SiteRecord r : sites.values()) {
            SiteStatus.Builder b = SiteStatus.newBuilder().setName(r.name())
                    .setSoftwareVersion(nz(r.softwareVersion()))
                    .addAllCapabilities(r.capabilities() == null ? List.of() : r.capabilities())
                    .setCertificateFingerprint(nz(r.certificateFingerprint()));
            Instant last = parse(r.lastHeartbeat());
            if (last != null) {
                b.setLastHeartbeat(Timestamps.of(last));
            }
            Instant since = parse(r.connectedSince());
            if (since != null && liveSessions.containsKey(r.name())) {
                b.setConnectedSince(Timestamps.of(since));
            }
            // Revoked (not merely renewed) certificates show as revoked: an operator must see at a
            // glance that the site is shut out, not that it has a network problem.
            var revoked = r.certificateSerial() == null ? java.util.Optional.<RevocationList.Revocation>empty()
                    : crl.revocation(new BigInteger(r.certificateSerial(), 16)).filter(RevocationList.Revocation::shutOut);
            if (revoked.isPresent() && !liveSessions.containsKey(r.name())) {
                b.setState(SiteStatus.ConnectionState.REVOKED).setRevokedAt(Timestamps.of(revoked.get().at()));
            } else if (!liveSessions.containsKey(r.name())) {
                b.setState(SiteStatus.ConnectionState.DISCONNECTED);
            } else if (last != null && Duration.between(last, now).compareTo(staleAfter) > 0) {
                b.setState(SiteStatus.ConnectionState.STALE);
            } else {
                b.setState(SiteStatus.ConnectionState.CONNECTED);
            }
            out.add(b.build());
        }
        out.sort(Comparator.comparing(SiteStatus::getName));
        return out;
    }

    /** When the certificate the site last connected with expires; null when unknown. */
    Instant certificateNotAfter(String site) {
        SiteRecord r = sites.get(site);
        return r == null ? null : parse(r.certificateNotAfter());
    }

    /** Saves once more and stops saving: late disconnects after shutdown must not touch the state folder. */
    synchronized void close() {
        if (!closed) {
            save();
            closed = true;
        }
    }

    private synchronized void save() {
        if (closed) {
            return;
        }
        try {
            Path tmp = file.resolveSibling(FILE + ".tmp");
            YamlFiles.write(tmp, new Stored(sites.values().stream()
                    .sorted(Comparator.comparing(SiteRecord::name)).toList()));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | ConfigException e) {
            LOG.error("cannot save the site registry: {}", e.getMessage());
        }
    }

    private static Instant parse(String s) {
        return s == null ? null : Instant.parse(s);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
