package org.medveil.governance.strategy;

import java.util.Set;
import java.util.stream.Collectors;

/** One cell of Table 2: what the standard recommends (宜使用) and discourages (不宜使用) for a scenario. */
public record Strategy(Scenario scenario, Set<Technique> recommended, Set<Technique> discouraged) {

    public Strategy {
        recommended = Set.copyOf(recommended);
        discouraged = Set.copyOf(discouraged);
    }

    public String citeDiscouraged() {
        return discouraged.stream().sorted().map(Technique::cite).collect(Collectors.joining(", "));
    }

    public String citeRecommended() {
        return recommended.stream().sorted().map(Technique::cite).collect(Collectors.joining(", "));
    }
}
