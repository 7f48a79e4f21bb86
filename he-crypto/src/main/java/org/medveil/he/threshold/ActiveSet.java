package org.medveil.he.threshold;

import java.util.List;
import org.medveil.he.rlwe.KeyId;

/**
 * The holders that decrypt one aggregate under a t-of-N key, chosen by the coordinator from
 * those that answer ({@link Threshold#choose}). Every decryption share is computed for, and bound
 * to, one active set: its Lagrange coefficient depends on the whole set.
 *
 * @param members sorted, at least t
 * @param digest  hex SHA-256 over key id, t and members
 */
public record ActiveSet(KeyId keyId, int t, List<String> members, String digest) {

    public ActiveSet {
        members = List.copyOf(members);
    }
}
