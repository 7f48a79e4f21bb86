package org.medveil.he.verify;

import java.util.List;

/**
 * One contribution's answer to a challenge: the header fields its signed root covers (so the
 * holder can recompute the root) and the challenged blocks with their Merkle paths.
 */
public record ContributionOpening(String site, int valueCount, double bound, List<BlockOpening> blocks) {

    public ContributionOpening {
        blocks = List.copyOf(blocks);
    }

    /** Opens the challenged blocks of a contribution's tree (coordinator side). */
    public static ContributionOpening open(String site, CiphertextTree tree, int[] blocks) {
        BlockOpening[] out = new BlockOpening[blocks.length];
        for (int i = 0; i < blocks.length; i++) {
            out[i] = tree.open(blocks[i]);
        }
        return new ContributionOpening(site, tree.ciphertext().valueCount(), tree.ciphertext().bound(), List.of(out));
    }
}
