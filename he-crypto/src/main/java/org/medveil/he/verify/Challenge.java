package org.medveil.he.verify;

import java.util.HexFormat;

/**
 * The key holder's spot check for one request: the blocks it wants opened, drawn at random after
 * the aggregate and the list are fixed. {@code requestDigest} binds the challenge to that exact
 * aggregate and list, so the coordinator cannot change either once it knows the positions.
 *
 * @param blocks distinct block indexes, ascending (block b covers coefficients b·8 .. b·8+7)
 */
public record Challenge(String jobId, long round, int chunk, byte[] requestDigest, int[] blocks) {

    public Challenge {
        requestDigest = requestDigest.clone();
        blocks = blocks.clone();
    }

    @Override
    public byte[] requestDigest() {
        return requestDigest.clone();
    }

    @Override
    public int[] blocks() {
        return blocks.clone();
    }

    int blockCount() {
        return blocks.length;
    }

    int block(int i) {
        return blocks[i];
    }

    @Override
    public String toString() {
        return "Challenge[job=" + jobId + ", round=" + round + ", chunk=" + chunk + ", request="
                + HexFormat.of().formatHex(requestDigest) + ", blocks=" + blocks.length + "]";
    }
}
