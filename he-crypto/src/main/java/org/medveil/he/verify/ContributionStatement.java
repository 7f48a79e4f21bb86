package org.medveil.he.verify;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.medveil.he.rlwe.Digests;

/**
 * What a site signs <b>once per round</b>: job, round, its own name, the number of chunks of its
 * update, and one SHA-256 over the canonical bytes of all its {@link ContributionRecord}s in
 * chunk order ({@link #recordsDigest(List)}). The signed statement plus the records authenticate
 * every chunk; one ECDSA signature per site and round replaces one per chunk.
 *
 * @param recordsDigest 32-byte SHA-256 of the records ({@link #recordsDigest(List)})
 */
public record ContributionStatement(String jobId, long round, String site, int chunks, byte[] recordsDigest) {

    public static final String MAGIC = "MVCS";
    public static final int VERSION = 1;
    private static final String LIST_MAGIC = "MVCL";

    public ContributionStatement {
        ContributionRecord.requireName("job id", jobId);
        ContributionRecord.requireName("site name", site);
        if (round < 0 || chunks < 1) {
            throw new IllegalArgumentException("a statement needs round >= 0 and at least one chunk, got round " + round
                    + " and " + chunks + " chunks");
        }
        if (recordsDigest == null || recordsDigest.length != 32) {
            throw new IllegalArgumentException("a statement's records digest must be 32 bytes (SHA-256)");
        }
        recordsDigest = recordsDigest.clone();
    }

    /** The statement covering {@code records}, which must be one site's records of one round in chunk order 0, 1, …. */
    public static ContributionStatement covering(List<ContributionRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a statement covers at least one record");
        }
        ContributionRecord first = records.get(0);
        for (int i = 0; i < records.size(); i++) {
            ContributionRecord r = records.get(i);
            if (r.chunk() != i || !r.jobId().equals(first.jobId()) || r.round() != first.round()
                    || !r.site().equals(first.site())) {
                throw new IllegalArgumentException("record " + i + " is " + r + "; a statement covers one site's records"
                        + " of one job and round, in chunk order from 0");
            }
        }
        return new ContributionStatement(first.jobId(), first.round(), first.site(), records.size(),
                recordsDigest(records));
    }

    /** SHA-256 over "MVCL" v1, the count, then each record's canonical bytes, length-prefixed, in list order. */
    public static byte[] recordsDigest(List<ContributionRecord> records) {
        RecordsHasher h = new RecordsHasher(records.size());
        records.forEach(r -> h.add(r.canonicalBytes()));
        return h.digest();
    }

    /**
     * {@link #recordsDigest(List)} one record at a time, for records read from a stream (a bulk
     * object): memory stays one record whatever the number of chunks. The count is part of the
     * digest, so it is given first; {@link #digest()} refuses another number of records.
     */
    public static final class RecordsHasher {
        private final MessageDigest md = Digests.sha256();
        private final int count;
        private final byte[] len = new byte[4];
        private int added;

        public RecordsHasher(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("record count must not be negative, got " + count);
            }
            this.count = count;
            md.update(new CanonicalBytes(LIST_MAGIC, 1).u32(count).toByteArray());
        }

        /** Adds the next record's canonical bytes (exactly as they will be parsed). */
        public void add(byte[] canonicalRecord) {
            for (int i = 0; i < 4; i++) {
                len[i] = (byte) (canonicalRecord.length >>> (24 - 8 * i));
            }
            md.update(len);
            md.update(canonicalRecord);
            added++;
        }

        public int added() {
            return added;
        }

        /** The digest; throws IllegalStateException when another number of records than announced was added. */
        public byte[] digest() {
            if (added != count) {
                throw new IllegalStateException(added + " records were hashed but " + count + " were announced");
            }
            return md.digest();
        }
    }

    /** Whether {@code digest} is this statement's records digest (constant time). */
    public boolean covers(byte[] digest) {
        return digestEquals(digest);
    }

    @Override
    public byte[] recordsDigest() {
        return recordsDigest.clone();
    }

    boolean digestEquals(byte[] other) {
        return MessageDigest.isEqual(recordsDigest, other);
    }

    /** The bytes the site signs: magic "MVCS", version 1, job, round, site, chunks, records digest. */
    public byte[] canonicalBytes() {
        return new CanonicalBytes(MAGIC, VERSION).text(jobId).u64(round).text(site).u32(chunks).bytes(recordsDigest)
                .toByteArray();
    }

    /** Reads {@link #canonicalBytes()} back; anything else (or a non-canonical form) throws IllegalArgumentException. */
    public static ContributionStatement parse(byte[] canonical) {
        CanonicalBytes.Reader r = new CanonicalBytes.Reader(canonical, MAGIC, VERSION);
        ContributionStatement s = new ContributionStatement(r.text(), r.u64(), r.text(), r.u32(), r.bytes());
        r.end();
        if (!Arrays.equals(s.canonicalBytes(), canonical)) {
            throw new IllegalArgumentException("contribution statement bytes are not in canonical form");
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContributionStatement s && s.jobId.equals(jobId) && s.round == round && s.site.equals(site)
                && s.chunks == chunks && Arrays.equals(s.recordsDigest, recordsDigest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, round, site, chunks, Arrays.hashCode(recordsDigest));
    }

    @Override
    public String toString() {
        return "ContributionStatement[job=" + jobId + ", round=" + round + ", site=" + site + ", chunks=" + chunks
                + ", records=" + HexFormat.of().formatHex(recordsDigest) + "]";
    }
}
