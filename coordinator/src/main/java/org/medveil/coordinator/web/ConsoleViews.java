package org.medveil.coordinator.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.medveil.coordinator.persistence.CoordinatorStore;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.manifest.ManifestFiles;
import org.medveil.governance.manifest.ManifestReport;
import org.medveil.governance.manifest.ManifestVerifier;
import org.medveil.proto.admin.JobSiteStatus;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.RoundSummary;

/**
 * The JSON the console's pages read. Only what the admin API already gives users: job states,
 * the sites' decisions, aggregated metrics per round (never a site's own values), times, and the
 * manifest files with their verification by {@link ManifestVerifier} (the code behind
 * {@code medveil manifest verify}).
 */
final class ConsoleViews {

    private ConsoleViews() {
    }

    private static String time(com.google.protobuf.Timestamp t) {
        return t.getSeconds() == 0 && t.getNanos() == 0 ? null
                : Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    static Map<String, Object> job(JobStatus s) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", s.getJobId());
        j.put("name", s.getName());
        j.put("state", s.getState());
        j.put("reason", s.getReason());
        j.put("strategy", s.getStrategy());
        j.put("he", s.getHe());
        j.put("encrypted", !"plaintext".equals(s.getHe()) && !s.getHe().isEmpty());
        j.put("threshold", s.getThreshold());
        j.put("minSites", s.getMinSites());
        j.put("rounds", s.getRounds());
        j.put("currentRound", s.getCurrentRound());
        j.put("submitted", time(s.getSubmitted()));
        List<Map<String, Object>> sites = new ArrayList<>();
        for (JobSiteStatus site : s.getSitesList()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("site", site.getSite());
            m.put("decision", site.getDecision());
            m.put("reason", site.getReason());
            sites.add(m);
        }
        j.put("sites", sites);
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (RoundSummary r : s.getRoundSummariesList()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("round", r.getRound());
            m.put("state", r.getState());
            m.put("participants", r.getParticipantsList());
            m.put("leftOut", r.getLeftOutList());
            if ("completed".equals(r.getState())) {
                m.put("loss", r.getLoss());
                m.put("accuracy", r.getAccuracy());
                m.put("auc", r.getAuc());
                m.put("sensitivity", r.getSensitivity());
                m.put("specificity", r.getSpecificity());
                m.put("examples", r.getExamples());
            }
            m.put("bytesIn", r.getBytesIn());
            m.put("bytesOut", r.getBytesOut());
            m.put("started", time(r.getStarted()));
            m.put("finished", time(r.getFinished()));
            m.put("manifestDigest", r.getManifestDigest());
            rounds.add(m);
        }
        j.put("roundSummaries", rounds);
        return j;
    }

    static Map<String, Object> phase(CoordinatorStore.RoundPhase p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", p.round());
        m.put("attempt", p.attempt());
        m.put("phase", p.phase());
        m.put("started", time(p.started()));
        m.put("finished", time(p.finished()));
        m.put("seconds", Duration.between(p.started(), p.finished()).toMillis() / 1000.0);
        return m;
    }

    static Map<String, Object> site(ConsoleBackend.SiteView s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("state", s.state());
        m.put("lastHeartbeat", time(s.lastHeartbeat()));
        m.put("connectedSince", time(s.connectedSince()));
        m.put("softwareVersion", s.softwareVersion());
        m.put("certificateFingerprint", s.certificateFingerprint());
        m.put("certificateNotAfter", time(s.certificateNotAfter()));
        m.put("revokedAt", time(s.revokedAt()));
        return m;
    }

    /**
     * The job's manifest chain checked by {@link ManifestVerifier} (as {@code medveil manifest
     * verify} does, countersignatures not required): rounds before the first bad file are
     * verified, the bad one is flagged with the reason, later ones are not trusted.
     */
    static Map<String, Object> manifests(String jobId, Path dir, X509Certificate ca) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("jobId", jobId);
        TreeMap<Integer, String> rounds = new TreeMap<>();
        List<String> files = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) {
                    String n = p.getFileName().toString();
                    if (n.startsWith(".") || n.endsWith(".tmp")) {
                        continue;
                    }
                    files.add(n);
                    int r = ManifestFiles.roundOf(n);
                    if (r >= 0) {
                        rounds.put(r, n);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list the manifests of job " + jobId + ": " + e.getMessage(), e);
            }
        }
        out.put("files", files);
        if (rounds.isEmpty()) {
            out.put("verified", false);
            out.put("summary", "no manifest yet: the first is written when round 1 completes");
            out.put("entries", List.of());
            out.put("warnings", List.of());
            return out;
        }
        ManifestReport report = ManifestVerifier.verify(dir, ca);
        ManifestReport.Problem problem = report.ok() ? null : report.problems().get(0);
        int badRound = problem == null || problem.file() == null ? -1 : ManifestFiles.roundOf(problem.file());
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Map.Entry<Integer, String> e : rounds.entrySet()) {
            int r = e.getKey();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("round", r);
            m.put("file", e.getValue());
            m.put("signature", ManifestFiles.signature(r));
            List<String> countersigners = new ArrayList<>();
            String prefix = String.format("round-%06d.site-", r);
            for (String f : files) {
                if (f.startsWith(prefix) && f.endsWith(".sig")) {
                    countersigners.add(f.substring(prefix.length(), f.length() - 4));
                }
            }
            m.put("countersignedBy", countersigners);
            try {
                m.put("sha256", Sha256.hex(Files.readAllBytes(dir.resolve(e.getValue()))));
            } catch (IOException x) {
                m.put("sha256", null);
            }
            if (problem == null) {
                m.put("status", "verified");
            } else if (badRound < 0) {
                m.put("status", "failed");
                m.put("reason", problem.toString());
            } else if (r < badRound) {
                m.put("status", "verified");
            } else if (r == badRound) {
                m.put("status", "failed");
                m.put("reason", problem.reason());
            } else {
                m.put("status", "untrusted");
                m.put("reason", "comes after the first bad manifest (round " + badRound + ")");
            }
            entries.add(m);
        }
        out.put("verified", problem == null);
        out.put("summary", problem == null
                ? "OK: " + report.rounds() + " round(s), " + report.countersignatures()
                        + " site countersignature(s); last manifest sha256:" + report.lastDigest()
                : "FAILED: first bad file: " + problem);
        out.put("warnings", report.warnings());
        out.put("entries", entries);
        return out;
    }
}
