package org.medveil.he.multiparty;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.medveil.he.rlwe.KeyId;

/**
 * One decided decryption request of a key holder: the (key, job, round, chunk) it answers and
 * the digest of the ciphertext's c1 ({@link org.medveil.he.rlwe.Ciphertext#shareRequestDigest()}),
 * or null when the chunk was refused for good. A holder answers each (key, job, round, chunk)
 * once, whatever the ciphertext, and each c1 once, whatever the round.
 */
public record LedgerEntry(Chunk chunk, String requestDigest) {

    /** The identity of a request that the ledger keys on besides the ciphertext digest. */
    public record Chunk(KeyId keyId, String jobId, long round, int index) {

        public Chunk {
            if (keyId == null || jobId == null || jobId.isEmpty() || round < 0 || index < 0) {
                throw new IllegalArgumentException("ledger chunk needs a key id, a job id and non-negative round and chunk");
            }
        }

        @Override
        public String toString() {
            return "job " + jobId + ", round " + round + ", chunk " + index + " under key " + keyId;
        }
    }

    public LedgerEntry {
        if (chunk == null) {
            throw new IllegalArgumentException("ledger entry needs its chunk");
        }
        if (requestDigest != null && !isDigest(requestDigest)) {
            throw new IllegalArgumentException("request digest must be 64 hex digits");
        }
    }

    /** The ledger line: {@code c KEYID JOBHEX ROUND CHUNK DIGEST|-} (ASCII, no secrets, no PHI). */
    String line() {
        return "c " + chunk.keyId().hex() + " " + HexFormat.of().formatHex(chunk.jobId().getBytes(StandardCharsets.UTF_8))
                + " " + chunk.round() + " " + chunk.index() + " " + (requestDigest == null ? "-" : requestDigest);
    }

    /** Parses {@link #line()}; null when the line is not one. */
    static LedgerEntry parse(String line) {
        String[] f = line.split(" ");
        if (f.length != 6 || !f[0].equals("c")) {
            return null;
        }
        try {
            KeyId key = new KeyId(f[1]);
            String job = new String(HexFormat.of().parseHex(f[2]), StandardCharsets.UTF_8);
            long round = Long.parseLong(f[3]);
            int index = Integer.parseInt(f[4]);
            return new LedgerEntry(new Chunk(key, job, round, index), f[5].equals("-") ? null : f[5]);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static boolean isDigest(String d) {
        return d.length() == 64 && d.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }
}
