package org.medveil.coordinator.jobs;

import java.util.Set;
import org.medveil.proto.federation.CoordinatorMessage;

/** The coordinator's side of the sites' Session streams, as the job layer sees it. */
public interface SiteSessions {

    /** Sends a control message to a connected site; false when the site has no live session. */
    boolean send(String site, CoordinatorMessage.Builder message);

    /** The sites connected now whose session negotiated {@code capability}. */
    Set<String> connectedWith(String capability);
}
