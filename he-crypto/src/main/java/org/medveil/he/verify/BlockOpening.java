package org.medveil.he.verify;

/**
 * One block of a contribution opened for a key holder: its residues and the Merkle path to the
 * contribution's signed root.
 *
 * @param block    block index (coefficients {@code block·B .. block·B+B-1}, B = {@link CiphertextTree#BLOCK})
 * @param residues c0 then c1; within each, prime by prime, the B residues of the block:
 *                 index {@code ((poly·L) + prime)·B + j}
 * @param siblings sibling hashes from the leaf up to the tree root (32 bytes each)
 */
public record BlockOpening(int block, long[] residues, byte[][] siblings) {

    public BlockOpening {
        residues = residues.clone();
        byte[][] s = new byte[siblings.length][];
        for (int i = 0; i < s.length; i++) {
            s[i] = siblings[i].clone();
        }
        siblings = s;
    }

    @Override
    public long[] residues() {
        return residues.clone();
    }

    long residue(int index) {
        return residues[index];
    }

    int residueCount() {
        return residues.length;
    }

    byte[] sibling(int level) {
        return siblings[level];
    }

    int depth() {
        return siblings.length;
    }

    @Override
    public byte[][] siblings() {
        byte[][] s = new byte[siblings.length][];
        for (int i = 0; i < s.length; i++) {
            s[i] = siblings[i].clone();
        }
        return s;
    }
}
