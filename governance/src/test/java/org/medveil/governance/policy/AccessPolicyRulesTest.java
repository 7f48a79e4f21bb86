package org.medveil.governance.policy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.consent.ConsentDecision;
import org.medveil.governance.consent.ConsentRecord;
import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.consent.PatientPseudonymizer;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.grade.SensitivityLevel;
import org.medveil.governance.pki.Role;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medveil.governance.policy.AccessPolicyCellTest.T;
import static org.medveil.governance.policy.AccessPolicyCellTest.best;

/** The safety rules of the policy one by one, each with every attribute as favourable as possible. */
class AccessPolicyRulesTest {

    private final AccessPolicy policy = new AccessPolicy(PolicyOptions.defaults());

    @Test
    @Tag("REQ-USE-3")
    void researchersNeverReachOriginals() {
        for (SensitivityLevel g : SensitivityLevel.values()) {
            for (ImagingCategory c : ImagingCategory.values()) {
                for (Operation op : List.of(Operation.READ_ORIGINAL, Operation.SELECT_FOR_TRAINING)) {
                    Decision d = policy.decide(best(Role.RESEARCHER, op, g, c, true).build());
                    assertFalse(d.allowed(), d.toString());
                    assertTrue(d.reason().contains("originals"), d.reason());
                }
            }
        }
    }

    @Test
    @Tag("REQ-STO-4")
    void grades4And5AreNeverSelectableAndNeverRead() {
        for (SensitivityLevel g : List.of(SensitivityLevel.L4, SensitivityLevel.L5)) {
            for (Role r : Role.values()) {
                for (Operation op : List.of(Operation.SELECT_FOR_TRAINING, Operation.READ_DERIVATIVE,
                        Operation.READ_ORIGINAL)) {
                    Decision d = policy.decide(best(r, op, g).build());
                    assertFalse(d.allowed(), d.toString());
                }
            }
        }
    }

    @Test
    @Tag("REQ-ACQ-3")
    void selectionFollowsTheConsentRegistry() {
        ConsentRules rules = new ConsentRules(ZoneOffset.UTC);
        var patient = new PatientPseudonymizer(new byte[32]).pseudonym("P1");
        ConsentRecord research = new ConsentRecord(patient, Set.of(Purpose.RESEARCH), true,
                LocalDate.of(2026, 1, 1), LocalDate.of(2027, 1, 1), null);
        record Case(ConsentRecord record, Purpose purpose, boolean allowed, String reason) {
        }
        for (Case c : List.of(
                new Case(research, Purpose.RESEARCH, true, null),
                new Case(null, Purpose.RESEARCH, false, "no consent is recorded"),
                new Case(research, Purpose.TEACHING, false, "did not consent to this purpose"),
                new Case(research.withdraw(T.minusSeconds(1)), Purpose.RESEARCH, false, "withdrew"),
                new Case(new ConsentRecord(patient, Set.of(Purpose.RESEARCH), false, LocalDate.of(2026, 1, 1), null, null),
                        Purpose.RESEARCH, false, "sharing in joint modeling"),
                new Case(new ConsentRecord(patient, Set.of(Purpose.RESEARCH), true, LocalDate.of(2025, 1, 1),
                        LocalDate.of(2026, 6, 1), null), Purpose.RESEARCH, false, "expired"))) {
            ConsentDecision consent = rules.permits(c.record(), c.purpose(), true, T);
            Decision d = policy.decide(best(Role.RESEARCHER, Operation.SELECT_FOR_TRAINING, SensitivityLevel.L2)
                    .purpose(c.purpose()).consent(consent).build());
            assertEquals(c.allowed(), d.allowed(), d.toString());
            if (!c.allowed()) {
                assertTrue(d.reason().contains(c.reason()), d.reason());
                assertEquals("researcher:select-for-training:consent-joint-modeling", d.ruleId());
            }
        }
    }

    @Test
    @Tag("REQ-STO-4")
    void consentMustBeDecidedForThisAccessAndThisPurpose() {
        var ok = best(Role.RESEARCHER, Operation.SELECT_FOR_TRAINING, SensitivityLevel.L2);
        assertTrue(policy.decide(ok.build()).allowed());
        ConsentDecision stale = AccessPolicyCellTest.consent(true, true, T.minus(Duration.ofMinutes(2)));
        Decision d = policy.decide(ok.consent(stale).build());
        assertFalse(d.allowed());
        assertTrue(d.reason().contains("not from the time of this access"), d.reason());
        ConsentDecision future = AccessPolicyCellTest.consent(true, true, T.plusSeconds(5));
        assertFalse(policy.decide(ok.consent(future).build()).allowed(), "a decision from the future is not this access's");
        Decision teaching = policy.decide(ok.consent(AccessPolicyCellTest.consent(true, true, T))
                .purpose(Purpose.TEACHING).build());
        assertFalse(teaching.allowed());
        assertTrue(teaching.reason().contains("made for another use"), teaching.reason());
        assertFalse(policy.decide(ok.purpose(null).build()).allowed(), "no purpose, no use");
        assertFalse(policy.decide(ok.purpose(Purpose.RESEARCH).consent(null).build()).allowed(), "no decision, no use");
    }

    @Test
    void reIdentifiableBiometricImagesAreNotSelectable() {
        Decision d3 = policy.decide(best(Role.RESEARCHER, Operation.SELECT_FOR_TRAINING, SensitivityLevel.L3,
                ImagingCategory.PERSONAL_BIOMETRIC, false).build());
        assertFalse(d3.allowed());
        assertTrue(d3.reason().contains("personal sensitive information"), d3.reason());
        assertTrue(policy.decide(best(Role.RESEARCHER, Operation.SELECT_FOR_TRAINING, SensitivityLevel.L2,
                ImagingCategory.PERSONAL_BIOMETRIC, false).build()).allowed());
        assertTrue(policy.decide(best(Role.RESEARCHER, Operation.SELECT_FOR_TRAINING, SensitivityLevel.L3,
                ImagingCategory.CLINICAL_FUNCTIONAL, false).build()).allowed());
    }

    @Test
    void onlyDataManagersRestoreArchives() {
        for (Role r : Role.values()) {
            for (SensitivityLevel g : SensitivityLevel.values()) {
                Decision d = policy.decide(best(r, Operation.RESTORE_ARCHIVE, g).build());
                assertEquals(r == Role.DATA_MANAGER, d.allowed(), d.toString());
            }
        }
    }

    @Test
    void destructionNeedsADataManagersApprovalAndASecondPersonWhenConfigured() {
        AccessRequest.Builder own = best(Role.DATA_MANAGER, Operation.DESTROY, SensitivityLevel.L4)
                .approvals(List.of(new Approval("alice", Role.DATA_MANAGER)));
        AccessRequest.Builder byResearcher = best(Role.DATA_MANAGER, Operation.DESTROY, SensitivityLevel.L4)
                .approvals(List.of(new Approval("bob", Role.RESEARCHER)));
        AccessRequest.Builder bySecond = best(Role.DATA_MANAGER, Operation.DESTROY, SensitivityLevel.L4)
                .approvals(List.of(new Approval("alice", Role.DATA_MANAGER), new Approval("bob", Role.DATA_MANAGER)));

        AccessPolicy single = new AccessPolicy(new PolicyOptions(false, Duration.ofMinutes(1)));
        assertTrue(single.decide(own.build()).allowed());
        Decision none = single.decide(byResearcher.build());
        assertFalse(none.allowed(), "a researcher's approval does not count");
        assertTrue(none.reason().contains("needs a data manager's approval"), none.reason());

        AccessPolicy fourEyes = new AccessPolicy(new PolicyOptions(true, Duration.ofMinutes(1)));
        Decision self = fourEyes.decide(own.build());
        assertFalse(self.allowed());
        assertTrue(self.reason().contains("second data manager"), self.reason());
        assertEquals("data-manager:destroy:destruction-approval", self.ruleId());
        assertTrue(fourEyes.decide(bySecond.build()).allowed());
    }

    @Test
    void complianceOfficersAndProjectAdminsSeeNoImages() {
        for (Role r : List.of(Role.COMPLIANCE_OFFICER, Role.PROJECT_ADMIN)) {
            for (Operation op : Arrays.stream(Operation.values()).filter(o -> o.scope() == Operation.Scope.OBJECT).toList()) {
                for (SensitivityLevel g : SensitivityLevel.values()) {
                    assertFalse(policy.decide(best(r, op, g).build()).allowed(), r + " " + op + " " + g);
                }
            }
        }
        assertTrue(policy.decide(best(Role.COMPLIANCE_OFFICER, Operation.READ_AUDIT, null).build()).allowed());
        assertTrue(policy.decide(best(Role.COMPLIANCE_OFFICER, Operation.VERIFY_STORE, null).build()).allowed());
        assertFalse(policy.decide(best(Role.PROJECT_ADMIN, Operation.LIST_OBJECTS, null).build()).allowed());
    }

    @Test
    void malformedRequestsAreProgrammingErrors() {
        assertThrows(IllegalArgumentException.class, () -> AccessRequest.site("a", Role.DATA_MANAGER,
                Operation.DESTROY, T).build());
        assertThrows(IllegalArgumentException.class, () -> AccessRequest.object("a", Role.DATA_MANAGER,
                Operation.BACKUP, SensitivityLevel.L2, ImagingCategory.OTHER, false, T).build());
        assertThrows(IllegalArgumentException.class, () -> AccessRequest.object("a", Role.DATA_MANAGER,
                Operation.READ_DERIVATIVE, SensitivityLevel.L2, ImagingCategory.OTHER, true, T).build());
    }
}
