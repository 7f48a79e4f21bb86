package org.medveil.governance.strategy;

import java.util.Set;

/**
 * The outcome of checking a profile against Table 2: the techniques it uses, those of them the
 * standard discourages for the scenario (allowed only with an override), and the override.
 */
public record StrategyDecision(String profile, Strategy strategy, Set<Technique> used,
                               Set<Technique> discouragedUsed, StrategyOverride override) {
    public StrategyDecision {
        used = Set.copyOf(used);
        discouragedUsed = Set.copyOf(discouragedUsed);
    }

    public boolean overridden() {
        return !discouragedUsed.isEmpty();
    }
}
