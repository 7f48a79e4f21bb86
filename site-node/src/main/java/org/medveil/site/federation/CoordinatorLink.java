package org.medveil.site.federation;

import org.medveil.proto.rounds.RoundsMessage;

/**
 * How a {@link JobParticipant} answers the coordinator; the transport delivers the
 * coordinator's messages, one at a time and in order, to {@link JobParticipant#onMessage}.
 */
public interface CoordinatorLink {

    void send(RoundsMessage message);
}
