package org.medveil.site.jobs;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import org.medveil.governance.job.DataSelection;
import org.medveil.site.config.SiteConfigFile;
import org.medveil.site.store.SiteIndex;

/**
 * The site's use requests (the index's {@code jobs} table): one per offered job, decided by a data
 * manager with {@code medveil site approve|reject}, or at once by an auto-approval rule of
 * {@code site.yaml} whose purpose matches and whose maxGrade covers the job's selection.
 */
public final class UseRequests {

    /** The state of a job's use request. */
    public enum State { PENDING, APPROVED, REJECTED }

    /** A decided or pending request; {@code reason} is the data manager's, when one was given. */
    public record Request(State state, String decidedBy, String reason) {
    }

    private final SiteIndex index;
    private final List<SiteConfigFile.AutoApproval> rules;
    private final String dataset;
    private final Clock clock;

    public UseRequests(SiteIndex index, List<SiteConfigFile.AutoApproval> rules, String dataset, Clock clock) {
        this.index = index;
        this.rules = List.copyOf(rules);
        this.dataset = dataset;
        this.clock = clock;
    }

    /** Files a request for {@code jobId} unless one exists; an auto-approval rule decides it at once. */
    public Request file(String jobId, DataSelection selection) {
        Request existing = find(jobId);
        if (existing != null) {
            return existing;
        }
        SiteConfigFile.AutoApproval rule = rules.stream()
                .filter(r -> r.purpose().equals(selection.purpose().id()))
                .filter(r -> r.maxGrade() != null && selection.maxGrade() <= r.maxGrade())
                .filter(r -> r.datasets() == null || r.datasets().isEmpty() || r.datasets().contains(dataset))
                .findFirst().orElse(null);
        String by = rule == null ? null : "auto-approval rule (purpose " + rule.purpose() + ", maxGrade " + rule.maxGrade() + ")";
        index.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jobs (job_id, state, decided_by, decided_at, reason)"
                    + " VALUES (?, ?, ?, ?, NULL) ON CONFLICT (job_id) DO NOTHING")) {
                ps.setString(1, jobId);
                ps.setString(2, rule == null ? "pending" : "approved");
                ps.setString(3, by);
                ps.setString(4, rule == null ? null : clock.instant().toString());
                ps.executeUpdate();
            }
            return null;
        });
        return find(jobId);
    }

    /** The request for {@code jobId}, or null when none was filed. */
    public Request find(String jobId) {
        return index.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT state, decided_by, reason FROM jobs WHERE job_id = ?")) {
                ps.setString(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    return new Request(State.valueOf(rs.getString(1).toUpperCase(java.util.Locale.ROOT)),
                            rs.getString(2), rs.getString(3));
                }
            }
        });
    }
}
