package org.medveil.governance.policy;

import java.util.Objects;

/**
 * The answer of {@link AccessPolicy#decide}: allowed or not, why (no patient data, fit for logs,
 * the caller's error and the audit record), and the id of the rule that decided, e.g.
 * {@code researcher:read-original} or {@code researcher:select-for-training:consent-joint-modeling}.
 */
public record Decision(boolean allowed, String reason, String ruleId) {
    public Decision {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(ruleId, "ruleId");
    }
}
