package org.medveil.site.ingest;

import java.time.Instant;
import java.util.Objects;

/**
 * Where and when one object came in (REQ-ACQ-5): the inbox folder with the file's path relative to
 * it, or a C-STORE association with the calling AE title and the peer's address.
 *
 * @param channel    INBOX or SCP
 * @param callingAe  the sender's AE title (SCP only, else null)
 * @param remoteHost the sender's IP address (SCP only, else null)
 * @param inboxPath  the file's path relative to the inbox (INBOX only, else null); stays in the
 *                   encrypted provenance record, never in logs
 * @param receivedAt when the object was received
 */
public record Source(Channel channel, String callingAe, String remoteHost, String inboxPath, Instant receivedAt) {

    /** How an object reached the site. */
    public enum Channel { INBOX, SCP }

    public Source {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    public static Source inbox(String relativePath, Instant at) {
        return new Source(Channel.INBOX, null, null, Objects.requireNonNull(relativePath, "relativePath"), at);
    }

    public static Source scp(String callingAe, String remoteHost, Instant at) {
        return new Source(Channel.SCP, callingAe, remoteHost, null, at);
    }
}
