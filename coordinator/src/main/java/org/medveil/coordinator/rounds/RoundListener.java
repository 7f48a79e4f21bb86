package org.medveil.coordinator.rounds;

import java.util.List;
import org.medveil.proto.rounds.RoundResult;
import org.medveil.proto.rounds.ContributionRef;

/**
 * The journal hook of a {@link JobRun}: the integrator wires it to the coordinator store and the
 * round manifests. Called on the run's thread, in protocol order; an exception stops the run.
 */
public interface RoundListener {

    /**
     * Key setup finished: the collective key every site confirmed ({@code WireCodec} bytes, empty
     * in plaintext mode). Persist it: {@link JobRun#resumeWithKey} continues a job after a restart.
     */
    default void keyReady(String jobId, String keyIdHex, byte[] publicKey) {
    }

    default void roundStarted(String jobId, int round, byte[] modelSha256) {
    }

    /**
     * A site's contribution passed the checks and was added to the aggregate: its signed statement
     * and the name of the records object it covers (records checked against the statement), as
     * announced (the default instance, without statement, in plaintext mode).
     */
    default void contributionRecorded(String jobId, int round, String site, ContributionRef contribution) {
    }

    /** A site did not contribute to the round (timeout or refused contribution), with the reason. */
    default void siteLeftOut(String jobId, int round, String site, String reason) {
    }

    /** The active set was fixed and challenge answers go out: from now on these holders spend (job, round, chunk). */
    default void decryptionReserved(String jobId, int round, List<String> activeSet, byte[] aggregateSha256) {
    }

    default void roundFinished(String jobId, RoundResult result, float[] nextModel) {
    }

    /** The round failed but runs again under the next number (key holders dropped during its decryption). */
    default void roundFailed(String jobId, int round, String reason) {
    }
}
