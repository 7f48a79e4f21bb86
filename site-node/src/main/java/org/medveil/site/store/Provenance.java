package org.medveil.site.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Where an object came from (REQ-ACQ-5). {@code source} is the calling AE title and host for the
 * SCP, or the path relative to the inbox; the caller must make sure it carries no PHI (inbox file
 * names can). The content digest recorded is the object's own digest.
 */
public record Provenance(Channel channel, String source, Instant receivedAt) {
    /** Ingest channel. */
    public enum Channel { INBOX, SCP }

    public Provenance {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}
