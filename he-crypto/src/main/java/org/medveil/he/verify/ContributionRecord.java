package org.medveil.he.verify;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;

/**
 * What a site states for each encrypted chunk it sends: job, round, chunk index, its own name,
 * the digest ({@link CiphertextTree#root()}) of the ciphertext, and optionally its secret linear
 * sketch ({@link LinearSketch}). A record carries no signature of its own: the site signs one
 * {@link ContributionStatement} per round that covers all its records ({@link SiteContribution}).
 * A key holder accepts an aggregate only as the sum of such covered records, so the
 * coordinator's own count in the ciphertext header no longer matters.
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

    /** Site side: digests the ciphertext ({@link CiphertextTree}) and, when the job has a sketch key, sketches it. */
    public static ContributionRecord of(HeContext context, String jobId, long round, Ciphertext ct, LinearSketch sketch,
                                        String site) {
        byte[] root = CiphertextTree.of(context, ct).root();
        long[] s = sketch == null ? new long[0] : sketch.of(jobId, round, ct.chunk(), ct);
        return new ContributionRecord(jobId, round, ct.chunk(), site, root, s);
    }

    /** Reads {@link #canonicalBytes()} back; anything else (or a non-canonical form) throws IllegalArgumentException. */
    public static ContributionRecord parse(byte[] canonical) {
        CanonicalBytes.Reader r = new CanonicalBytes.Reader(canonical, MAGIC, VERSION);
        String job = r.text();
        long round = r.u64();
        int chunk = r.u32();
        String site = r.text();
        byte[] digest = r.bytes();
        int n = r.u32();
        if (n < 0 || n > 64) {
            throw new IllegalArgumentException("contribution record claims " + n + " sketch values, at most 64 allowed");
        }
        long[] sketch = new long[n];
        for (int i = 0; i < n; i++) {
            sketch[i] = r.u64();
        }
        r.end();
        ContributionRecord rec = new ContributionRecord(job, round, chunk, site, digest, sketch);
        if (!Arrays.equals(rec.canonicalBytes(), canonical)) {
            throw new IllegalArgumentException("contribution record bytes are not in canonical form");
        }
        return rec;
    }

    /** The bytes a site's statement covers: magic "MVCR", version 1, job, round, chunk, site, digest, sketch. */
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
