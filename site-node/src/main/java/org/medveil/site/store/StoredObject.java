package org.medveil.site.store;

import java.time.Instant;

/**
 * One row of the object index. {@code digest} is the hex SHA-256 of the plaintext; {@code size}
 * its length in bytes. A destroyed object keeps id, kind, dataset, digest, size and times only.
 */
public record StoredObject(String id, StoredObjectKind kind, String digest, long size, String suite,
        Instant createdAt, State state, Instant destroyedAt, ObjectMeta meta) {

    /** Life-cycle state in the index. */
    public enum State { ACTIVE, ARCHIVED, DESTROYED }
}
