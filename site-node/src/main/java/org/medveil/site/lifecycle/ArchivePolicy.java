package org.medveil.site.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;

/**
 * Which objects an archive run takes (REQ-ARC-1): active objects stored more than
 * {@code olderThan} ago, optionally only of one data stage ({@code kind}: originals or derivatives)
 * and one {@code dataset}; null means any.
 */
public record ArchivePolicy(Duration olderThan, StoredObjectKind kind, String dataset) {

    public ArchivePolicy {
        Objects.requireNonNull(olderThan, "olderThan");
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException("olderThan must not be negative");
        }
    }

    /** Active objects of any stage and dataset older than {@code days} days. */
    public static ArchivePolicy olderThanDays(long days) {
        return new ArchivePolicy(Duration.ofDays(days), null, null);
    }

    public boolean matches(StoredObject o, Instant now) {
        return o.state() == StoredObject.State.ACTIVE
                && !o.createdAt().isAfter(now.minus(olderThan))
                && (kind == null || kind == o.kind())
                && (dataset == null || dataset.equals(o.meta().dataset()));
    }
}
