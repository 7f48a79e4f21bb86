package org.medveil.governance.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.medveil.governance.canonical.CanonicalException;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Pem;
import org.medveil.governance.pki.PkiException;

/**
 * Checks a manifest folder offline with nothing but the project CA certificate (REQ-FL-3):
 * {@code coordinator.pem} issued by that CA to the project's coordinator and valid when each
 * round finished; for each round from 1 without gaps, the file is canonical RFC 8785 JSON of a
 * well-formed manifest, its coordinator signature verifies, it records the round its name says,
 * the same project and job as round 1, the SHA-256 of the previous file as
 * {@code previousManifestDigest}, the previous round's output model as its input model, and a
 * start no earlier than the previous round's finish; every site countersignature belongs to a
 * participant, verifies under that site's certificate (issued by the CA, naming that site, with
 * the fingerprint the manifest records). The report names the first bad file and stops there.
 *
 * <p>What the folder alone cannot show: rounds cut from the end (compare {@code lastDigest} or
 * the round count with what the job reported), and whether a contribution signature is genuine
 * (the signed contribution message is not in the manifest; key holders check it per round).
 */
public final class ManifestVerifier {

    private ManifestVerifier() {
    }

    public static ManifestReport verify(Path dir, X509Certificate projectCa) {
        return verify(dir, projectCa, false);
    }

    /** With {@code requireCountersignatures}, a participant that has not countersigned is a problem, not a warning. */
    public static ManifestReport verify(Path dir, X509Certificate projectCa, boolean requireCountersignatures) {
        return new Run(dir, projectCa, requireCountersignatures).run();
    }

    private static final class Run {
        private final Path dir;
        private final X509Certificate ca;
        private final boolean requireCountersignatures;
        private final List<ManifestReport.Problem> problems = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private String project;
        private String jobId;
        private int rounds;
        private int countersignatures;
        private String lastDigest;

        Run(Path dir, X509Certificate ca, boolean requireCountersignatures) {
            this.dir = dir;
            this.ca = ca;
            this.requireCountersignatures = requireCountersignatures;
        }

        ManifestReport run() {
            check();
            return new ManifestReport(List.copyOf(problems), List.copyOf(warnings), project, jobId, rounds,
                    countersignatures, lastDigest);
        }

        private boolean bad(String file, String reason) {
            problems.add(new ManifestReport.Problem(file, reason));
            return false;
        }

        private void check() {
            if (!Files.isDirectory(dir)) {
                bad(null, "manifest folder " + dir + " does not exist");
                return;
            }
            TreeMap<Integer, Path> jsons = new TreeMap<>();
            Map<Integer, TreeSet<String>> countersigners = new TreeMap<>();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    int r = ManifestFiles.roundOf(n);
                    if (r >= 0) {
                        jsons.put(r, p);
                    }
                    Matcher m = ManifestFiles.SITE_SIG.matcher(n);
                    if (m.matches()) {
                        countersigners.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new TreeSet<>()).add(m.group(2));
                    }
                }
            } catch (IOException e) {
                bad(null, "cannot list " + dir + ": " + e.getMessage());
                return;
            }
            if (jsons.isEmpty()) {
                bad(null, "no round manifests (round-NNNNNN.json) in " + dir);
                return;
            }
            X509Certificate coordinator = coordinator();
            if (coordinator == null) {
                return;
            }
            String prevDigest = RoundManifest.GENESIS;
            RoundManifest prev = null;
            int expected = 1;
            for (Map.Entry<Integer, Path> e : jsons.entrySet()) {
                if (e.getKey() != expected) {
                    bad(ManifestFiles.json(expected), "is missing (rounds are numbered from 1 without gaps; the next"
                            + " file is " + e.getValue().getFileName() + "): a round was removed");
                    return;
                }
                RoundManifest m = round(expected, coordinator, prev, prevDigest, countersigners.getOrDefault(expected, new TreeSet<>()));
                if (m == null) {
                    return;
                }
                prev = m;
                prevDigest = lastDigest;
                rounds = expected;
                expected++;
            }
            for (Integer r : countersigners.keySet()) {
                if (!jsons.containsKey(r)) {
                    warnings.add("countersignature(s) for round " + r + " but no " + ManifestFiles.json(r));
                }
            }
        }

        private X509Certificate coordinator() {
            Path pem = dir.resolve(ManifestFiles.COORDINATOR_PEM);
            X509Certificate cert;
            try {
                cert = Pem.readCertificate(pem);
            } catch (PkiException e) {
                bad(ManifestFiles.COORDINATOR_PEM, "the coordinator certificate is missing or unreadable: " + e.getMessage());
                return null;
            }
            String issuer = Certificates.issuerProblem(cert, ca, cert.getNotBefore().toInstant());
            if (issuer != null) {
                bad(ManifestFiles.COORDINATOR_PEM, "every manifest " + issuer);
                return null;
            }
            Identity id = identity(cert);
            if (id == null || id.kind() != Kind.COORDINATOR) {
                bad(ManifestFiles.COORDINATOR_PEM, "names " + (id == null ? "no MedVeil identity" : id.describe())
                        + ", not a coordinator; only the coordinator signs round manifests");
                return null;
            }
            project = id.project();
            return cert;
        }

        private RoundManifest round(int r, X509Certificate coordinator, RoundManifest prev, String prevDigest,
                                    TreeSet<String> signers) {
            String name = ManifestFiles.json(r);
            byte[] bytes;
            byte[] sig;
            try {
                bytes = Files.readAllBytes(dir.resolve(name));
            } catch (IOException e) {
                bad(name, "cannot read: " + e.getMessage());
                return null;
            }
            try {
                sig = Files.readAllBytes(dir.resolve(ManifestFiles.signature(r)));
            } catch (IOException e) {
                bad(ManifestFiles.signature(r), "the coordinator signature of " + name + " is missing or unreadable");
                return null;
            }
            RoundManifest m;
            try {
                m = Jcs.read(bytes, RoundManifest.class);
            } catch (CanonicalException e) {
                bad(name, e.getMessage());
                return null;
            }
            if (!Signatures.verify(coordinator.getPublicKey(), bytes, sig)) {
                bad(name, "the coordinator signature (" + ManifestFiles.signature(r) + ") does not verify: the manifest"
                        + " was changed after signing, or the signature is not the coordinator's");
                return null;
            }
            String when = Certificates.issuerProblem(coordinator, ca, m.finished());
            if (when != null) {
                bad(name, when);
                return null;
            }
            if (!m.project().equals(project)) {
                bad(name, "is for project " + m.project() + " but signed by the coordinator of project " + project);
                return null;
            }
            if (m.round() != r) {
                bad(name, "records round " + m.round() + ": files were renamed or reordered");
                return null;
            }
            if (!m.previousManifestDigest().equals(prevDigest)) {
                bad(name, "previousManifestDigest is not the SHA-256 of " + (r == 1 ? "the genesis value (64 zeros)"
                        : ManifestFiles.json(r - 1)) + ": the round before it was removed, replaced or reordered");
                return null;
            }
            if (prev == null) {
                jobId = m.jobId();
            } else {
                if (!m.jobId().equals(prev.jobId()) || !m.jobDigest().equals(prev.jobDigest())) {
                    bad(name, "belongs to another job (job id or job digest differs from round 1)");
                    return null;
                }
                if (!m.modelDigestIn().equals(prev.modelDigestOut())) {
                    bad(name, "modelDigestIn is not round " + (r - 1) + "'s modelDigestOut: the model chain is broken");
                    return null;
                }
                if (java.time.Instant.parse(m.startedAt()).isBefore(prev.finished())) {
                    bad(name, "starts before round " + (r - 1) + " finished");
                    return null;
                }
            }
            for (String site : signers) {
                if (!countersignature(r, m, bytes, site)) {
                    return null;
                }
            }
            for (RoundManifest.SiteEntry s : m.sites()) {
                if (!signers.contains(s.site())) {
                    String what = "site " + s.site() + " has not countersigned round " + r + " ("
                            + ManifestFiles.countersignature(r, s.site()) + " is missing)";
                    if (requireCountersignatures) {
                        bad(ManifestFiles.countersignature(r, s.site()), what);
                        return null;
                    }
                    warnings.add(what);
                }
            }
            lastDigest = Sha256.hex(bytes);
            return m;
        }

        private boolean countersignature(int r, RoundManifest m, byte[] bytes, String site) {
            String file = ManifestFiles.countersignature(r, site);
            RoundManifest.SiteEntry entry = m.site(site);
            if (entry == null) {
                return bad(file, "is a countersignature by site " + site + ", which did not take part in round " + r);
            }
            X509Certificate cert;
            try {
                cert = Pem.readCertificate(dir.resolve(ManifestFiles.sitePem(site)));
            } catch (PkiException e) {
                return bad(ManifestFiles.sitePem(site), "the certificate of site " + site + " is missing or unreadable");
            }
            String issuer = Certificates.issuerProblem(cert, ca, m.finished());
            if (issuer != null) {
                return bad(ManifestFiles.sitePem(site), "the countersignature " + issuer);
            }
            Identity id = identity(cert);
            if (id == null || id.kind() != Kind.SITE || !id.name().equals(site) || !id.project().equals(project)) {
                return bad(ManifestFiles.sitePem(site), "names " + (id == null ? "no MedVeil identity" : id.describe()
                        + " of project " + id.project()) + ", not site " + site + " of project " + project);
            }
            if (!Certificates.fingerprint(cert).equals(entry.certificateFingerprint())) {
                return bad(file, "site " + site + "'s certificate (" + ManifestFiles.sitePem(site) + ") is not the one"
                        + " round " + r + " records for it");
            }
            byte[] sig;
            try {
                sig = Files.readAllBytes(dir.resolve(file));
            } catch (IOException e) {
                return bad(file, "cannot read: " + e.getMessage());
            }
            if (!Signatures.verify(cert.getPublicKey(), bytes, sig)) {
                return bad(file, "does not verify under site " + site + "'s certificate: signed by another key (another"
                        + " site) or over other bytes");
            }
            countersignatures++;
            return true;
        }

        private static Identity identity(X509Certificate cert) {
            try {
                return Certificates.identity(cert);
            } catch (PkiException e) {
                return null;
            }
        }
    }
}
