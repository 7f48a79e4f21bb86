package org.medveil.governance.job;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Auto-approval as a site's {@code site.yaml} states it ({@code autoApprove: [{purpose, maxGrade,
 * datasets}]}): a job whose selection's purpose matches a rule, whose {@code maxGrade} is at most
 * the rule's, and whose selection draws only on the rule's datasets is approved without a data
 * manager; any other job waits for one. A job's selection names modalities, body parts and
 * categories, not datasets, so the site says which of its datasets a selection would draw on
 * ({@code datasetsOf}); a selection that draws on none is not auto-approved.
 */
public final class AutoApprovalRules implements ApprovalPolicy {

    /** One rule: purpose id, highest grade (1-3) and the datasets it covers. */
    public record Rule(String purpose, int maxGrade, Set<String> datasets) {
        public Rule {
            if (purpose == null || purpose.isBlank()) {
                throw new IllegalArgumentException("an auto-approval rule needs a purpose");
            }
            if (maxGrade < 1 || maxGrade > DataSelection.HIGHEST_SELECTABLE_GRADE) {
                throw new IllegalArgumentException("an auto-approval rule's maxGrade must be 1.."
                        + DataSelection.HIGHEST_SELECTABLE_GRADE + ", was " + maxGrade);
            }
            if (datasets == null || datasets.isEmpty()) {
                throw new IllegalArgumentException("an auto-approval rule must list at least one dataset");
            }
            datasets = Set.copyOf(datasets);
        }
    }

    private final List<Rule> rules;
    private final Function<DataSelection, Set<String>> datasetsOf;

    public AutoApprovalRules(List<Rule> rules, Function<DataSelection, Set<String>> datasetsOf) {
        this.rules = List.copyOf(rules);
        this.datasetsOf = datasetsOf;
    }

    @Override
    public Optional<String> refuse(JobSpec spec, SignedJob job) {
        DataSelection sel = spec.selection();
        Set<String> drawn = new TreeSet<>(datasetsOf.apply(sel));
        for (Rule r : rules) {
            if (r.purpose().equals(sel.purpose().id()) && sel.maxGrade() <= r.maxGrade()
                    && !drawn.isEmpty() && r.datasets().containsAll(drawn)) {
                return Optional.empty();
            }
        }
        return Optional.of("waiting for the data manager's approval of job " + job.jobId() + ": no auto-approval rule"
                + " of this site covers purpose " + sel.purpose().id() + " up to grade " + sel.maxGrade()
                + " on datasets " + drawn + "; ask the site's data manager to approve it");
    }
}
