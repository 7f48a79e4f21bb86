package org.medveil.he.verify;

import java.util.List;
import org.medveil.he.rlwe.Ciphertext;

/**
 * What the coordinator sends a key holder for one chunk of a round: the aggregate and the sites'
 * contributions it claims to be the sum of (each a signed statement with all the site's records
 * of the round; this chunk's record is {@code records().get(chunk)}). The same
 * {@link SiteContribution} objects serve every chunk of the round, so their records are hashed
 * once. The aggregate's own contribution count is ignored.
 */
public record DecryptionRequest(String jobId, long round, int chunk, Ciphertext aggregate,
                                List<SiteContribution> contributions) {

    public DecryptionRequest {
        ContributionRecord.requireName("job id", jobId);
        if (round < 0 || chunk < 0) {
            throw new IllegalArgumentException("round " + round + " and chunk " + chunk + " must not be negative");
        }
        if (aggregate == null) {
            throw new IllegalArgumentException("a decryption request needs its aggregate");
        }
        contributions = List.copyOf(contributions);
    }
}
