package org.medveil.governance.job;

import java.util.Optional;

/**
 * A site's own say on a job, after the signature and the agreement check out: empty to approve,
 * or the reason it does not (shown to the researcher, so no PHI).
 */
@FunctionalInterface
public interface ApprovalPolicy {

    Optional<String> refuse(JobSpec spec, SignedJob job);

    /** Approves every job that passed the other checks. */
    ApprovalPolicy ALLOW_ALL = (spec, job) -> Optional.empty();

    /** Holds every job for a data manager: declines until the site approves it by hand. */
    static ApprovalPolicy requireManualApproval() {
        return (spec, job) -> Optional.of("waiting for the data manager's approval of job " + job.jobId()
                + " at this site; ask the site's data manager to approve it");
    }
}
