package org.medveil.governance.strategy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.medveil.governance.strategy.Technique.*;

/**
 * Table 2 of T/SCGS 313008—2024 as code (REQ-DEID-2): maps a scenario to the recommended and
 * discouraged techniques, and checks a de-identification profile against it.
 */
public final class StrategySelector {

    private static final Map<Scenario, Strategy> TABLE_2 = Map.of(
            new Scenario(Rating.HIGH, Rating.HIGH), strategy(Rating.HIGH, Rating.HIGH,
                    EnumSet.of(HOMOMORPHIC_ENCRYPTION),
                    EnumSet.of(OCCLUSION, SUBSTITUTION)),
            new Scenario(Rating.HIGH, Rating.LOW), strategy(Rating.HIGH, Rating.LOW,
                    EnumSet.of(GENERALIZATION, RANDOM_PERTURBATION, REORDERING, PERMUTATION, MASKING, SUBSTITUTION),
                    EnumSet.of(NUMERIC_TRANSFORMATION, NULL_INSERTION)),
            new Scenario(Rating.LOW, Rating.HIGH), strategy(Rating.LOW, Rating.HIGH,
                    EnumSet.of(SYMMETRIC_ENCRYPTION, SUBSTITUTION, NULL_INSERTION, DATA_TRANSFORMATION),
                    EnumSet.of(OCCLUSION)),
            new Scenario(Rating.LOW, Rating.LOW), strategy(Rating.LOW, Rating.LOW,
                    EnumSet.of(STATISTICS, RANDOMIZATION, GENERALIZATION, TRUNCATION, NULL_INSERTION, OCCLUSION),
                    EnumSet.copyOf(ENCRYPTION)));

    private static Strategy strategy(Rating availability, Rating confidentiality, Set<Technique> recommended,
                                     Set<Technique> discouraged) {
        return new Strategy(new Scenario(availability, confidentiality), recommended, discouraged);
    }

    public Strategy strategyFor(Scenario scenario) {
        return TABLE_2.get(scenario);
    }

    /**
     * Accepts a profile whose techniques Table 2 does not discourage for its scenario, or one that
     * carries an override; otherwise refuses it with a message that cites the table.
     */
    public StrategyDecision check(String profile, Scenario scenario, Set<Technique> used, StrategyOverride override) {
        Strategy s = strategyFor(scenario);
        Set<Technique> bad = used.stream().filter(s.discouraged()::contains)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Technique.class)));
        if (!bad.isEmpty() && override == null) {
            throw new StrategyViolationException("de-identification profile '" + profile + "' uses "
                    + bad.stream().sorted().map(Technique::cite).collect(Collectors.joining(", "))
                    + ", which Table 2 of T/SCGS 313008—2024 discourages (不宜使用) for " + scenario.describe()
                    + ". Recommended there (宜使用): " + s.citeRecommended()
                    + ". Change the profile, or add an override with a written justification and approver.");
        }
        return new StrategyDecision(profile, s, used, bad, bad.isEmpty() ? null : override);
    }
}
