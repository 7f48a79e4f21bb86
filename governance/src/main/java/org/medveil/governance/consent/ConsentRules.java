package org.medveil.governance.consent;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Decides whether a patient's consent covers a use (REQ-ACQ-3): purpose of use, sharing in joint
 * modeling, validity period and withdrawal. No consent means no use. Checks run from the most
 * final to the most specific, so the reason names the first thing that rules the use out:
 * missing, withdrawn, not yet valid, expired, purpose, joint modeling.
 *
 * <p>Consent dates are calendar days in the site's time zone: the consent holds from the start
 * of {@code validFrom} until the start of {@code expires} (exclusive), so on the expiry day it no
 * longer holds.
 */
public final class ConsentRules {

    private final ZoneId zone;

    /** @param zone the site's time zone, in which consent dates are read */
    public ConsentRules(ZoneId zone) {
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    /**
     * @param record        the patient's consent, or {@code null} when none is recorded
     * @param purpose       the purpose of the use
     * @param jointModeling whether the use shares results in joint modeling
     * @param now           the time of the use
     */
    public ConsentDecision permits(ConsentRecord record, Purpose purpose, boolean jointModeling, Instant now) {
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(now, "now");
        ConsentDecision.Reason why = reason(record, purpose, jointModeling, now);
        return new ConsentDecision(why == ConsentDecision.Reason.PERMITTED, why, purpose, jointModeling, now);
    }

    private ConsentDecision.Reason reason(ConsentRecord r, Purpose purpose, boolean jointModeling, Instant now) {
        if (r == null) {
            return ConsentDecision.Reason.NO_CONSENT;
        }
        if (r.withdrawnAt() != null && !now.isBefore(r.withdrawnAt())) {
            return ConsentDecision.Reason.WITHDRAWN;
        }
        LocalDate today = LocalDate.ofInstant(now, zone);
        if (today.isBefore(r.validFrom())) {
            return ConsentDecision.Reason.NOT_YET_VALID;
        }
        if (r.expires() != null && !today.isBefore(r.expires())) {
            return ConsentDecision.Reason.EXPIRED;
        }
        if (!r.purposes().contains(purpose)) {
            return ConsentDecision.Reason.PURPOSE_NOT_CONSENTED;
        }
        if (jointModeling && !r.jointModeling()) {
            return ConsentDecision.Reason.JOINT_MODELING_NOT_CONSENTED;
        }
        return ConsentDecision.Reason.PERMITTED;
    }
}
