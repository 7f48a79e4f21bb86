package org.medveil.he.verify;

import java.util.List;
import org.medveil.he.rlwe.Ciphertext;

/**
 * What the coordinator sends a key holder for one chunk of a round: the aggregate and the signed
 * contributions it claims to be the sum of. The aggregate's own contribution count is ignored.
 */
public record DecryptionRequest(String jobId, long round, int chunk, Ciphertext aggregate,
                                List<SignedContribution> contributions) {

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
