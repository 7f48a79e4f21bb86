package org.medveil.governance.consent;

import java.time.Instant;
import java.util.Objects;

/**
 * The answer of {@link ConsentRules#permits}: whether a use is covered by consent, why, for which
 * purpose and sharing, and when it was decided. The reason carries no patient data, so it can go
 * into logs, refusals and audit records as it is.
 */
public record ConsentDecision(boolean permitted, Reason reason, Purpose purpose, boolean jointModeling,
                              Instant decidedAt) {

    /** Why a use is or is not covered. */
    public enum Reason {
        PERMITTED("consent covers this purpose"),
        NO_CONSENT("no consent is recorded for this patient"),
        WITHDRAWN("the patient withdrew consent"),
        NOT_YET_VALID("the consent is not yet valid"),
        EXPIRED("the consent has expired"),
        PURPOSE_NOT_CONSENTED("the patient did not consent to this purpose"),
        JOINT_MODELING_NOT_CONSENTED("the patient did not consent to sharing in joint modeling");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public ConsentDecision {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(decidedAt, "decidedAt");
        if (permitted != (reason == Reason.PERMITTED)) {
            throw new IllegalArgumentException("permitted must agree with the reason " + reason);
        }
    }

    /** E.g. "refused for research with joint modeling: the consent has expired". */
    public String explain() {
        return (permitted ? "permitted" : "refused") + " for " + purpose.id()
                + (jointModeling ? " with joint modeling" : "") + ": " + reason.text();
    }
}
