package org.medveil.he.verify;

import java.util.List;
import org.medveil.he.rlwe.Ciphertext;

/**
 * An aggregate that passed {@link AggregateVerifier#verify}: only that method creates one. Its
 * contribution count is the number of signed contributions, not the coordinator's header field.
 */
public final class VerifiedAggregate {

    private final String jobId;
    private final long round;
    private final int chunk;
    private final Ciphertext aggregate;
    private final List<String> sites;

    VerifiedAggregate(String jobId, long round, int chunk, Ciphertext aggregate, List<String> sites) {
        this.jobId = jobId;
        this.round = round;
        this.chunk = chunk;
        this.aggregate = aggregate;
        this.sites = List.copyOf(sites);
    }

    public String jobId() {
        return jobId;
    }

    public long round() {
        return round;
    }

    public int chunk() {
        return chunk;
    }

    /** The contributing sites, sorted. */
    public List<String> sites() {
        return sites;
    }

    /** The aggregate with its contribution count set to the number of verified signed contributions. */
    public Ciphertext aggregate() {
        return new Ciphertext(aggregate.paramsFingerprint(), aggregate.keyId(), aggregate.chunk(),
                aggregate.valueCount(), aggregate.bound(), sites.size(), aggregate.c0(), aggregate.c1());
    }

    @Override
    public String toString() {
        return "VerifiedAggregate[job=" + jobId + ", round=" + round + ", chunk=" + chunk + ", sites=" + sites.size() + "]";
    }
}
