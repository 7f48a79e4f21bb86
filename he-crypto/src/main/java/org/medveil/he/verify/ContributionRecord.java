package org.medveil.he.verify;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a site signs for each encrypted chunk it sends: job, round, chunk index, its own name, the
 * digest ({@link CiphertextTree#root()}) of the ciphertext, and optionally its secret linear
 * sketch ({@link LinearSketch}). A key holder accepts an aggregate only as the sum of such signed
 * records, so the coordinator's own count in the ciphertext header no longer matters.
 *
 * @param digest 32-byte Merkle root over the ciphertext and its header
 * @param sketch the ciphertext's sketch under the job's sketch key, or empty when the job uses none
 */
public record ContributionRecord(String jobId, long round, int chunk, String site, byte[] digest, long[] sketch) {

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
        if (sketch == null || sketch.length > 64) {
            throw new IllegalArgumentException("contribution sketch must hold at most 64 values");
        }
        digest = digest.clone();
        sketch = sketch.clone();
    }

    /** A record without a sketch. */
    public ContributionRecord(String jobId, long round, int chunk, String site, byte[] digest) {
        this(jobId, round, chunk, site, digest, new long[0]);
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    @Override
    public long[] sketch() {
        return sketch.clone();
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest);
    }

    /** The bytes the site signs: magic "MVCR", version 1, job, round, chunk, site, digest, sketch. */
    public byte[] canonicalBytes() {
        CanonicalBytes b = new CanonicalBytes(MAGIC, VERSION).text(jobId).u64(round).u32(chunk).text(site).bytes(digest)
                .u32(sketch.length);
        for (long v : sketch) {
            b.u64(v);
        }
        return b.toByteArray();
    }

    static void requireName(String what, String value) {
        if (value == null || value.isEmpty() || value.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException(what + " must be 1 to 255 bytes of UTF-8");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContributionRecord r && r.jobId.equals(jobId) && r.round == round && r.chunk == chunk
                && r.site.equals(site) && Arrays.equals(r.digest, digest) && Arrays.equals(r.sketch, sketch);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, round, chunk, site, Arrays.hashCode(digest), Arrays.hashCode(sketch));
    }

    @Override
    public String toString() {
        return "ContributionRecord[job=" + jobId + ", round=" + round + ", chunk=" + chunk + ", site=" + site
                + ", digest=" + digestHex() + ", sketch=" + (sketch.length == 0 ? "none" : sketch.length + " values") + "]";
    }
}
