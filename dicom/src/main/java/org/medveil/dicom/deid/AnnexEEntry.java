package org.medveil.dicom.deid;

import java.util.Map;
import java.util.Set;

/**
 * One row of Table E.1-1. {@code mask} has 0 bits where the tag has a wildcard digit (curves and
 * overlays); the private row has tag and mask 0 and is looked up separately.
 */
public record AnnexEEntry(int tag, int mask, boolean inStandardIod, Action basic, Map<ProfileOption, Action> options,
                          String name) {
    public AnnexEEntry {
        options = Map.copyOf(options);
    }

    public boolean matches(int t) { return (t & mask) == tag; }

    /**
     * The action under the enabled options. When several enabled options have an entry, retaining
     * beats cleaning (K over C): an option that keeps an attribute is an explicit decision that its
     * value is needed, and cleaning it again would break that promise.
     */
    public Action actionFor(Set<ProfileOption> enabled) {
        if (options.isEmpty() || enabled.isEmpty()) { // most rows, and the Basic Profile alone
            return basic;
        }
        Action best = null;
        for (Map.Entry<ProfileOption, Action> e : options.entrySet()) {
            if (enabled.contains(e.getKey()) && (best == null || e.getValue() == Action.K)) {
                best = e.getValue();
            }
        }
        return best != null ? best : basic;
    }
}
