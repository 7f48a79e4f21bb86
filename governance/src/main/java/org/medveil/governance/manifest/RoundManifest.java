package org.medveil.governance.manifest;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.PkiException;

/**
 * What one federated round did, as the coordinator signs it (REQ-FL-2): the job and its digest,
 * the participating sites with their certificate fingerprints, data use agreements, data
 * descriptors (counts by category and grade, de-identification profile digest, dataset Merkle
 * root) and signed contribution digests, the aggregate digest, the key holders that decrypted,
 * the HE parameter fingerprint (or {@code plaintext}), the model digests in and out, the
 * aggregated metrics, when it ran, and the SHA-256 of the previous round's manifest bytes.
 *
 * <p>Stored as RFC 8785 canonical JSON ({@link Jcs}); numbers are integers only, so metrics are
 * decimal strings. All digests are SHA-256, 64 lower-case hex digits. The constructor refuses an
 * incomplete or malformed manifest, including data above grade 3 (never used for joint modeling).
 */
public record RoundManifest(String format, String project, String jobId, String jobDigest, int round,
                            List<SiteEntry> sites, String aggregateDigest, List<String> decryptionQuorum,
                            String heParameters, String modelDigestIn, String modelDigestOut,
                            SortedMap<String, String> metrics, String startedAt, String finishedAt,
                            String previousManifestDigest) {

    public static final String FORMAT = "medveil-round-manifest/v1";
    /** {@code previousManifestDigest} of round 1: 64 zeros, as the audit chain starts. */
    public static final String GENESIS = "0".repeat(64);
    public static final String PLAINTEXT = "plaintext";
    /** Joint modeling uses data of grade 1 to 3 only (grades 4-5 never leave the site's control). */
    public static final int MAX_GRADE = 3;

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HE_FINGERPRINT = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Set<String> CATEGORIES = Set.copyOf(Arrays.stream(ImagingCategory.values())
            .map(ImagingCategory::id).toList());

    /** One participating site and what it contributed. */
    public record SiteEntry(String site, String certificateFingerprint, String duaId, DataDescriptor data,
                            Contribution contribution) {
    }

    /** The site's training data as a descriptor only: no object ids, no patient keys. */
    public record DataDescriptor(List<GradeCount> counts, String deidProfileDigest, String datasetMerkleRoot) {

        /**
         * The entry for a site's signed data descriptor (its JSON: {@code counts} of category,
         * grade, count; {@code deidProfileDigest}; {@code datasetMerkleRoot}). The coordinator
         * builds manifest entries with it and each site checks its own entry with it, so both
         * read the same fields in the same order.
         */
        public static DataDescriptor fromSignedJson(byte[] json) {
            try {
                com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
                List<GradeCount> counts = new java.util.ArrayList<>();
                for (com.fasterxml.jackson.databind.JsonNode c : n.get("counts")) {
                    counts.add(new GradeCount(c.get("category").asText(), c.get("grade").asInt(), c.get("count").asLong()));
                }
                return new DataDescriptor(counts, n.get("deidProfileDigest").asText(), n.get("datasetMerkleRoot").asText());
            } catch (java.io.IOException | RuntimeException e) {
                throw new ManifestException("a site's data descriptor cannot be read: " + e.getMessage(), e);
            }
        }
    }

    /** How many objects of one imaging category and grade the site used. */
    public record GradeCount(String category, int grade, long count) {
    }

    /** SHA-256 of the site's signed contribution message and the site's DER ECDSA signature on it (base64). */
    public record Contribution(String digest, String signature) {
    }

    public RoundManifest {
        sites = sites == null ? null : List.copyOf(sites);
        decryptionQuorum = decryptionQuorum == null ? null : List.copyOf(decryptionQuorum);
        metrics = metrics == null ? null : new TreeMap<>(metrics);
        check(format, project, jobId, jobDigest, round, sites, aggregateDigest, decryptionQuorum, heParameters,
                modelDigestIn, modelDigestOut, metrics, startedAt, finishedAt, previousManifestDigest);
    }

    /** A version-1 manifest; {@code format} is filled in. */
    public static RoundManifest of(String project, String jobId, String jobDigest, int round, List<SiteEntry> sites,
                                   String aggregateDigest, List<String> decryptionQuorum, String heParameters,
                                   String modelDigestIn, String modelDigestOut, Map<String, String> metrics,
                                   Instant startedAt, Instant finishedAt, String previousManifestDigest) {
        return new RoundManifest(FORMAT, project, jobId, jobDigest, round, sites, aggregateDigest, decryptionQuorum,
                heParameters, modelDigestIn, modelDigestOut, metrics == null ? null : new TreeMap<>(metrics),
                startedAt.toString(), finishedAt.toString(), previousManifestDigest);
    }

    /** The exact bytes that are signed and stored. */
    public byte[] canonicalBytes() {
        return Jcs.canonicalize(this);
    }

    /** SHA-256 of {@link #canonicalBytes()}: the next round's {@code previousManifestDigest}. */
    public String digest() {
        return Sha256.hex(canonicalBytes());
    }

    public SiteEntry site(String name) {
        return sites.stream().filter(s -> s.site().equals(name)).findFirst().orElse(null);
    }

    public Instant finished() {
        return Instant.parse(finishedAt);
    }

    private static void check(String format, String project, String jobId, String jobDigest, int round,
                              List<SiteEntry> sites, String aggregateDigest, List<String> quorum, String he,
                              String modelIn, String modelOut, SortedMap<String, String> metrics, String startedAt,
                              String finishedAt, String prev) {
        if (!FORMAT.equals(format)) {
            throw bad("format", "must be " + FORMAT + ", was " + format);
        }
        name("project", project);
        if (jobId == null || !ID.matcher(jobId).matches()) {
            throw bad("jobId", "must be 1-128 letters, digits, '.', '_' or '-'");
        }
        hex("jobDigest", jobDigest);
        if (round < 1) {
            throw bad("round", "must be 1 or more, was " + round);
        }
        if (sites == null || sites.isEmpty()) {
            throw bad("sites", "must name at least one participating site");
        }
        Set<String> seen = new HashSet<>();
        for (SiteEntry s : sites) {
            String where = "sites[" + s.site() + "]";
            name(where + ".site", s.site());
            if (!seen.add(s.site())) {
                throw bad(where, "appears twice; one entry per site");
            }
            hex(where + ".certificateFingerprint", s.certificateFingerprint());
            if (s.duaId() == null || !ID.matcher(s.duaId()).matches()) {
                throw bad(where + ".duaId", "must name the site's data use agreement (1-128 letters, digits, '.', '_', '-')");
            }
            if (s.data() == null || s.data().counts() == null || s.data().counts().isEmpty()) {
                throw bad(where + ".data.counts", "must give at least one count by category and grade");
            }
            for (GradeCount c : s.data().counts()) {
                if (c.category() == null || !CATEGORIES.contains(c.category())) {
                    throw bad(where + ".data.counts", "category '" + c.category() + "' is not one of " + CATEGORIES);
                }
                if (c.grade() < 1 || c.grade() > MAX_GRADE) {
                    throw bad(where + ".data.counts", "grade " + c.grade() + " is not allowed: joint modeling uses"
                            + " grades 1 to " + MAX_GRADE + " only");
                }
                if (c.count() < 0) {
                    throw bad(where + ".data.counts", "count must not be negative");
                }
            }
            hex(where + ".data.deidProfileDigest", s.data().deidProfileDigest());
            hex(where + ".data.datasetMerkleRoot", s.data().datasetMerkleRoot());
            if (s.contribution() == null) {
                throw bad(where + ".contribution", "is required");
            }
            hex(where + ".contribution.digest", s.contribution().digest());
            if (s.contribution().signature() == null || s.contribution().signature().isEmpty()) {
                throw bad(where + ".contribution.signature", "is required (the site's signature on its contribution)");
            }
            try {
                java.util.Base64.getDecoder().decode(s.contribution().signature());
            } catch (IllegalArgumentException e) {
                throw bad(where + ".contribution.signature", "is not base64");
            }
        }
        hex("aggregateDigest", aggregateDigest);
        if (he == null || !(PLAINTEXT.equals(he) || HE_FINGERPRINT.matcher(he).matches())) {
            throw bad("heParameters", "must be the HE parameter fingerprint (he-crypto's HeContext.fingerprint(),"
                    + " 32 hex digits) or '" + PLAINTEXT + "'");
        }
        if (quorum == null || (quorum.isEmpty() && !PLAINTEXT.equals(he))) {
            throw bad("decryptionQuorum", "must name the key holders whose shares decrypted the aggregate");
        }
        for (String k : quorum) {
            name("decryptionQuorum", k);
        }
        if (new HashSet<>(quorum).size() != quorum.size()) {
            throw bad("decryptionQuorum", "names a key holder twice");
        }
        hex("modelDigestIn", modelIn);
        hex("modelDigestOut", modelOut);
        if (metrics == null) {
            throw bad("metrics", "is required (may be empty)");
        }
        metrics.forEach((k, v) -> {
            if (k == null || k.isEmpty() || v == null) {
                throw bad("metrics", "keys must be non-empty and values non-null strings");
            }
        });
        Instant s = instant("startedAt", startedAt);
        Instant f = instant("finishedAt", finishedAt);
        if (f.isBefore(s)) {
            throw bad("finishedAt", "is before startedAt");
        }
        hex("previousManifestDigest", prev);
        if (round == 1 != GENESIS.equals(prev)) {
            throw bad("previousManifestDigest", round == 1
                    ? "of round 1 must be " + GENESIS.substring(0, 8) + "… (64 zeros)"
                    : "of round " + round + " must be the digest of round " + (round - 1) + ", not the genesis value");
        }
    }

    private static void name(String field, String value) {
        try {
            Identity.checkName(field, value);
        } catch (PkiException e) {
            throw new ManifestException("manifest field " + e.getMessage());
        }
    }

    private static void hex(String field, String value) {
        if (value == null || !HEX64.matcher(value).matches()) {
            throw bad(field, "must be a SHA-256 digest (64 lower-case hex digits)");
        }
    }

    private static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException | NullPointerException e) {
            throw bad(field, "must be an ISO-8601 UTC instant, e.g. 2026-01-31T12:00:00Z");
        }
    }

    private static ManifestException bad(String field, String what) {
        return new ManifestException("manifest field '" + field + "' " + what);
    }
}
