package org.medveil.coordinator.rounds;

import org.medveil.proto.rounds.RoundsMessage;

/**
 * How a {@link JobRun} reaches its sites. The transport delivers what sites send by calling
 * {@link JobRun#onMessage}. Sending must not block on the site's processing.
 */
public interface SiteLinks {

    /** Sends a message to one site; a site that is not connected loses it (the run's timeouts cover that). */
    void send(String site, RoundsMessage message);
}
