package org.medveil.proto;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Named protocol features a daemon of this build supports. A site lists its own in its hello;
 * the coordinator answers with the intersection in its welcome, and both use only those. A new
 * feature gets a new name, so an older peer simply never sees it offered; a message type it does
 * not know is ignored (and logged once), never a reason to end the session.
 */
public final class Capabilities {

    /** Heartbeats on the Session stream. */
    public static final String HEARTBEAT = "heartbeat/v1";
    /** Federated jobs and rounds carried on the Session stream. */
    public static final String JOBS = "jobs/v1";
    /** Bulk objects on the Transfer service (chunked, flow-controlled, resumable). */
    public static final String TRANSFER = "transfer/v1";
    /** Updates encrypted with the multiparty RLWE scheme (coefficient encoding). */
    public static final String HE_RLWE = "he/rlwe-coeff/v1";
    /** t-of-N decryption with Shamir shares sealed to the recipient's kit key. */
    public static final String THRESHOLD = "he/threshold/v1";

    /** Everything this build supports, in a stable order. */
    public static final List<String> THIS_BUILD = List.of(HEARTBEAT, JOBS, TRANSFER, HE_RLWE, THRESHOLD);

    private Capabilities() {
    }

    /** The features both sides name, in {@code ours}' order. */
    public static List<String> negotiate(Collection<String> ours, Collection<String> theirs) {
        List<String> both = new ArrayList<>();
        for (String c : ours) {
            if (theirs.contains(c) && !both.contains(c)) {
                both.add(c);
            }
        }
        return List.copyOf(both);
    }
}
