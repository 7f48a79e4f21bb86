package org.medveil.coordinator.rounds;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

/**
 * What a {@link JobRun} needs from an accepted job: its sites, the HE set (or plaintext), the
 * t of the t-of-N key, the fewest contributions a round may have, the bound on every packed
 * value, rounds, timeouts and the local-training parameters passed to the sites.
 *
 * @param heParams   he-crypto parameter set name, or {@code null} for a plaintext job
 * @param threshold  t; equal to the number of sites for N-of-N
 * @param minSites   fewest contributions per round; also the key holders' minimum per aggregate
 * @param valueBound every packed value (update·samples, counts, loss·samples, the sample count) is at most this
 */
public record JobPlan(String jobId, List<String> sites, String heParams, int threshold, int minSites,
        double valueBound, int rounds, Duration setupTimeout, Duration roundTimeout, Duration decryptionTimeout,
        String modelSpec, int epochs, int maxSteps, int batchSize, double learningRate, double mu, long seed) {

    public JobPlan {
        sites = List.copyOf(new TreeSet<>(sites));
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("a job plan needs the job id");
        }
        if (sites.isEmpty()) {
            throw new IllegalArgumentException("job " + jobId + " has no accepted sites");
        }
        if (minSites < 1 || minSites > sites.size()) {
            throw new IllegalArgumentException("job " + jobId + ": minSites must be 1.." + sites.size() + ", was " + minSites);
        }
        if (heParams != null && (threshold < 1 || threshold > sites.size())) {
            throw new IllegalArgumentException("job " + jobId + ": threshold t must be 1.." + sites.size() + ", was "
                    + threshold);
        }
        if (!(valueBound > 0) || Double.isInfinite(valueBound)) {
            throw new IllegalArgumentException("job " + jobId + ": valueBound must be positive and finite");
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("job " + jobId + ": rounds must be at least 1");
        }
    }

    public boolean encrypted() {
        return heParams != null;
    }
}
