package org.medveil.he.verify;

import java.util.List;
import java.util.Map;

/** The coordinator's answer to a {@link Challenge}: one opening per listed contribution. */
public record ChallengeResponse(String jobId, long round, int chunk, List<ContributionOpening> openings) {

    public ChallengeResponse {
        openings = List.copyOf(openings);
    }

    /**
     * Coordinator side: opens the challenged blocks of every listed contribution. The coordinator
     * keeps each contribution's tree (or ciphertext) until the round's shares are in.
     *
     * @param treesBySite the tree of each listed site's ciphertext for this chunk
     */
    public static ChallengeResponse answer(Challenge challenge, DecryptionRequest request,
                                           Map<String, CiphertextTree> treesBySite) {
        return answer(challenge, request.contributions().stream().map(SiteContribution::site).toList(), treesBySite);
    }

    /**
     * Coordinator side, without the records: opening the blocks needs only the listed sites and
     * their trees, so the coordinator does not keep every site's records of the round in memory.
     *
     * @param sites the sites listed in the request, in its order
     */
    public static ChallengeResponse answer(Challenge challenge, List<String> sites,
                                           Map<String, CiphertextTree> treesBySite) {
        int[] blocks = challenge.blocks();
        List<ContributionOpening> out = new java.util.ArrayList<>();
        for (String site : sites) {
            CiphertextTree tree = treesBySite.get(site);
            if (tree == null) {
                throw new IllegalArgumentException("no stored ciphertext for site " + site + ", chunk " + challenge.chunk()
                        + "; the coordinator must keep every contribution until the round is decrypted");
            }
            out.add(ContributionOpening.open(site, tree, blocks));
        }
        return new ChallengeResponse(challenge.jobId(), challenge.round(), challenge.chunk(), out);
    }
}
