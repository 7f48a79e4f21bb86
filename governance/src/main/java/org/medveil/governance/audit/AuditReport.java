package org.medveil.governance.audit;

import java.util.List;

/**
 * What {@link AuditVerifier} found. {@code problems} is empty when nothing was tampered with; the
 * first problem with a seq names the first bad record. {@code warnings} are states that are not
 * tampering (an unsigned tail after a crash or while the log is open, an unrecovered torn line).
 * {@code site} is the site whose key signed the checkpoints (null before the first).
 */
public record AuditReport(List<Problem> problems, List<String> warnings, String site, long records, long checkpoints,
                          long lastSeq, long lastCheckpointSeq, int certificates) {

    /** One problem; {@code file}, {@code line} and {@code seq} are null when it concerns no single record. */
    public record Problem(String file, Integer line, Long seq, String reason) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            if (file != null) {
                b.append(file);
                if (line != null) {
                    b.append(" line ").append(line);
                }
                if (seq != null) {
                    b.append(" (seq ").append(seq).append(')');
                }
                b.append(": ");
            }
            return b.append(reason).toString();
        }
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
