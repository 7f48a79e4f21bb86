package org.medveil.governance.manifest;

import java.util.List;

/**
 * What {@link ManifestVerifier} found. {@code problems} is empty when the chain is intact; it
 * holds at most one problem, naming the first bad file (files after it are not trusted).
 * {@code warnings} are states that are not tampering, e.g. a participant that has not countersigned.
 */
public record ManifestReport(List<Problem> problems, List<String> warnings, String project, String jobId,
                             int rounds, int countersignatures, String lastDigest) {

    /** One problem; {@code file} is the first bad file, or null when none applies. */
    public record Problem(String file, String reason) {
        @Override
        public String toString() {
            return file == null ? reason : file + ": " + reason;
        }
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
