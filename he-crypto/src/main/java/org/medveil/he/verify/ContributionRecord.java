package org.medveil.he.verify;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * What a site signs for each encrypted chunk it sends: job, round, chunk index, its own name, and
 * the digest ({@link CiphertextTree#root()}) of the ciphertext. A key holder accepts an
 * aggregate only as the sum of such signed records, so the coordinator's own count in the
 * ciphertext header no longer matters.
 *
 * @param digest 32-byte Merkle root over the ciphertext and its header
 */
public record ContributionRecord(String jobId, long round, int chunk, String site, byte[] digest) {

    public static final String MAGIC = "MVCR";
    public static final int VERSION = 1;

    public ContributionRecord {
        requireName("job id", jobId);
        requireName("site name", site);
        if (round < 0 || chunk < 0) {
            throw new IllegalArgumentException("round " + round + " and chunk " + chunk + " must not be negative");
        }
        if (digest == null || digest.length != 32) {
            throw new IllegalArgumentException("contribution digest must be 32 bytes (SHA-256)");
        }
        digest = digest.clone();
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest);
    }

    /** The bytes the site signs: magic "MVCR", version 1, job, round, chunk, site, digest. */
    public byte[] canonicalBytes() {
        return new CanonicalBytes(MAGIC, VERSION).text(jobId).u64(round).u32(chunk).text(site).bytes(digest)
                .toByteArray();
    }

    static void requireName(String what, String value) {
        if (value == null || value.isEmpty() || value.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException(what + " must be 1 to 255 bytes of UTF-8");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContributionRecord r && r.jobId.equals(jobId) && r.round == round && r.chunk == chunk
                && r.site.equals(site) && java.util.Arrays.equals(r.digest, digest);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(jobId, round, chunk, site, java.util.Arrays.hashCode(digest));
    }

    @Override
    public String toString() {
        return "ContributionRecord[job=" + jobId + ", round=" + round + ", chunk=" + chunk + ", site=" + site
                + ", digest=" + digestHex() + "]";
    }
}
