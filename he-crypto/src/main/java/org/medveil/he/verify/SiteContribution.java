package org.medveil.he.verify;

import java.util.ArrayList;
import java.util.List;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;

/**
 * One site's contribution to one round as verifiers see it: its signed statement and the
 * records (one per chunk, index = chunk) the statement claims to cover. Nothing here is trusted
 * yet: {@link #recordsDigest()} is computed once from the records (so per-chunk checks cost
 * O(1)), and a verifier compares it with the signed statement's digest.
 */
public final class SiteContribution {

    private final SignedStatement statement;
    private final List<ContributionRecord> records;
    private final byte[] recordsDigest;

    public SiteContribution(SignedStatement statement, List<ContributionRecord> records) {
        if (statement == null || records == null) {
            throw new IllegalArgumentException("a site contribution needs its signed statement and its records");
        }
        this.statement = statement;
        this.records = List.copyOf(records);
        this.recordsDigest = ContributionStatement.recordsDigest(this.records);
    }

    /** Site side: one record per ciphertext (tree root, and the sketch when the job has a key), one signature. */
    public static SiteContribution sign(HeContext context, String jobId, long round, List<Ciphertext> cts,
                                        LinearSketch sketch, ContributionSigner signer) {
        List<ContributionRecord> records = new ArrayList<>(cts.size());
        for (Ciphertext ct : cts) {
            records.add(ContributionRecord.of(context, jobId, round, ct, sketch, signer.site()));
        }
        return sign(records, signer);
    }

    /** Site side: signs the statement covering {@code records} (chunk order from 0). */
    public static SiteContribution sign(List<ContributionRecord> records, ContributionSigner signer) {
        return new SiteContribution(SignedStatement.sign(ContributionStatement.covering(records), signer), records);
    }

    public SignedStatement signed() {
        return statement;
    }

    public ContributionStatement statement() {
        return statement.statement();
    }

    /** The site the statement speaks for. */
    public String site() {
        return statement.site();
    }

    public List<ContributionRecord> records() {
        return records;
    }

    /** SHA-256 of {@link #records()} as {@link ContributionStatement#recordsDigest(List)} computes it. */
    public byte[] recordsDigest() {
        return recordsDigest.clone();
    }

    /**
     * Null when the records are exactly those the statement covers (same digest and count);
     * otherwise what is wrong. Says nothing about the signature.
     */
    public String coverageProblem() {
        ContributionStatement s = statement.statement();
        if (s.chunks() != records.size()) {
            return "the statement of site " + s.site() + " covers " + s.chunks() + " chunks but " + records.size()
                    + " records are listed";
        }
        if (!s.digestEquals(recordsDigest)) {
            return "the records listed for site " + s.site() + " are not the ones its signed statement covers";
        }
        return null;
    }

    @Override
    public String toString() {
        return "SiteContribution[" + statement.statement() + "]";
    }
}
