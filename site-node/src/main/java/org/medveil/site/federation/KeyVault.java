package org.medveil.site.federation;

import java.util.Optional;

/**
 * Where a site keeps a job's secrets between messages and restarts: its threshold key share
 * and the job's sketch key (and the public key). Implementations must encrypt at rest (the site
 * store's key), never log the bytes, and write durably before returning.
 */
public interface KeyVault {

    /** Names of the secrets a participant stores per job. */
    String THRESHOLD_KEY_SHARE = "threshold-key-share";
    String SKETCH_KEY = "sketch-key";
    String PUBLIC_KEY = "public-key";
    /** The job's KeySetupStart (not secret; kept so a restarted site can rejoin). */
    String SETUP = "setup";

    void store(String jobId, String name, byte[] secret);

    Optional<byte[]> load(String jobId, String name);

    /** Forgets a job's secrets (job finished or aborted). */
    void erase(String jobId);
}
