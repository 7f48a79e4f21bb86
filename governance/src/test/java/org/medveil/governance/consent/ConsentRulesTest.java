package org.medveil.governance.consent;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medveil.governance.consent.ConsentDecision.Reason.EXPIRED;
import static org.medveil.governance.consent.ConsentDecision.Reason.JOINT_MODELING_NOT_CONSENTED;
import static org.medveil.governance.consent.ConsentDecision.Reason.NOT_YET_VALID;
import static org.medveil.governance.consent.ConsentDecision.Reason.NO_CONSENT;
import static org.medveil.governance.consent.ConsentDecision.Reason.PERMITTED;
import static org.medveil.governance.consent.ConsentDecision.Reason.PURPOSE_NOT_CONSENTED;
import static org.medveil.governance.consent.ConsentDecision.Reason.WITHDRAWN;

@Tag("REQ-ACQ-3")
class ConsentRulesTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private final ConsentRules rules = new ConsentRules(SHANGHAI);
    private final PatientPseudonym patient = new PatientPseudonymizer(PatientPseudonymizerTest.key(1)).pseudonym("P1");

    private ConsentRecord consent(Set<Purpose> purposes, boolean joint) {
        return new ConsentRecord(patient, purposes, joint, LocalDate.of(2026, 1, 1), LocalDate.of(2027, 1, 1), null);
    }

    private static Instant at(String local) {
        return java.time.LocalDateTime.parse(local).atZone(SHANGHAI).toInstant();
    }

    @Test
    void consentedPurposeWithJointModelingIsPermitted() {
        ConsentDecision d = rules.permits(consent(Set.of(Purpose.RESEARCH), true), Purpose.RESEARCH, true,
                at("2026-06-01T10:00"));
        assertTrue(d.permitted());
        assertEquals(PERMITTED, d.reason());
        assertEquals(Purpose.RESEARCH, d.purpose());
        assertTrue(d.jointModeling());
    }

    @Test
    void noConsentMeansNoUse() {
        ConsentDecision d = rules.permits(null, Purpose.RESEARCH, false, at("2026-06-01T10:00"));
        assertFalse(d.permitted());
        assertEquals(NO_CONSENT, d.reason());
    }

    @Test
    void purposeAndJointModelingAreCheckedSeparately() {
        ConsentRecord researchOnly = consent(Set.of(Purpose.RESEARCH), false);
        Instant now = at("2026-06-01T10:00");
        assertEquals(PURPOSE_NOT_CONSENTED, rules.permits(researchOnly, Purpose.TEACHING, false, now).reason());
        assertEquals(JOINT_MODELING_NOT_CONSENTED, rules.permits(researchOnly, Purpose.RESEARCH, true, now).reason());
        assertEquals(PERMITTED, rules.permits(researchOnly, Purpose.RESEARCH, false, now).reason(),
                "local research without sharing is covered");
    }

    @Test
    void validityDaysAreSiteLocalAndExpiryDayNoLongerHolds() {
        ConsentRecord c = consent(Set.of(Purpose.RESEARCH), true);
        assertEquals(NOT_YET_VALID, rules.permits(c, Purpose.RESEARCH, true, at("2025-12-31T23:59:59")).reason());
        assertEquals(PERMITTED, rules.permits(c, Purpose.RESEARCH, true, at("2026-01-01T00:00")).reason());
        // 2026-12-31T20:00 UTC is already 2027-01-01 in Shanghai: expired there.
        assertEquals(EXPIRED, rules.permits(c, Purpose.RESEARCH, true, Instant.parse("2026-12-31T20:00:00Z")).reason());
        assertEquals(PERMITTED, rules.permits(c, Purpose.RESEARCH, true, at("2026-12-31T23:59:59")).reason());
        assertEquals(EXPIRED, rules.permits(c, Purpose.RESEARCH, true, at("2027-01-01T00:00")).reason());
    }

    @Test
    void withdrawalTakesEffectAtItsInstantAndOutranksEverythingElse() {
        Instant withdrawn = at("2026-03-01T09:30");
        ConsentRecord c = consent(Set.of(Purpose.RESEARCH), true).withdraw(withdrawn);
        assertEquals(PERMITTED, rules.permits(c, Purpose.RESEARCH, true, withdrawn.minusSeconds(1)).reason());
        assertEquals(WITHDRAWN, rules.permits(c, Purpose.RESEARCH, true, withdrawn).reason());
        assertEquals(WITHDRAWN, rules.permits(c, Purpose.TEACHING, true, withdrawn.plusSeconds(5)).reason());
        assertEquals(withdrawn, c.withdraw(withdrawn.plusSeconds(60)).withdrawnAt(), "an earlier withdrawal stays");
    }

    @Test
    void recordsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new ConsentRecord(patient, Set.of(), true,
                LocalDate.of(2026, 1, 1), null, null));
        assertThrows(IllegalArgumentException.class, () -> new ConsentRecord(patient, Set.of(Purpose.RESEARCH), true,
                LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 1), null));
        assertTrue(rules.permits(null, Purpose.RESEARCH, true, Instant.EPOCH).explain()
                .startsWith("refused for research with joint modeling: no consent"));
    }
}
