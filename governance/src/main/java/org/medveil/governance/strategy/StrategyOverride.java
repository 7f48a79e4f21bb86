package org.medveil.governance.strategy;

/**
 * A written decision to use a technique Table 2 discourages ("analyse the specific case",
 * Table 2 note). It is recorded with every object de-identified under it.
 */
public record StrategyOverride(String justification, String approvedBy, String date) {
    public StrategyOverride {
        if (justification == null || justification.isBlank() || approvedBy == null || approvedBy.isBlank()) {
            throw new IllegalArgumentException("an override of Table 2 needs a written justification and who approved it");
        }
    }
}
