package org.medveil.governance.policy;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.consent.ConsentDecision;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.grade.SensitivityLevel;
import org.medveil.governance.pki.Role;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medveil.governance.pki.Role.COMPLIANCE_OFFICER;
import static org.medveil.governance.pki.Role.DATA_MANAGER;
import static org.medveil.governance.pki.Role.PROJECT_ADMIN;
import static org.medveil.governance.pki.Role.RESEARCHER;

/**
 * Every role × operation × grade cell, allowed and refused, each with its reason and rule id.
 * The expectation is written here from the standard's rules, independently of
 * {@link PolicyTable}, so a wrong table entry fails a cell.
 */
@Tag("REQ-USE-3")
@Tag("REQ-STO-4")
class AccessPolicyCellTest {

    static final Instant T = Instant.parse("2026-06-01T02:00:00Z");
    private final AccessPolicy policy = new AccessPolicy(new PolicyOptions(true, java.time.Duration.ofMinutes(1)));

    /** What a cell should be: refused, or allowed when these conditions hold. */
    record Expect(boolean allowed, Set<Condition> needs) {
        static Expect no() {
            return new Expect(false, Set.of());
        }

        static Expect yes(Condition... c) {
            return new Expect(true, c.length == 0 ? Set.of() : EnumSet.copyOf(Arrays.asList(c)));
        }
    }

    /** The rules as the standard and the issue state them. */
    static Expect expected(Role role, Operation op, SensitivityLevel g) {
        boolean clinical = g != null && g.level() >= 4; // grades 4-5: clinical staff only, no MedVeil role
        return switch (op) {
            case VIEW_STATUS -> Expect.yes();
            case INGEST, MANAGE_CONSENT, MANAGE_LABELS, APPROVE_USE, BACKUP, RESTORE, APPROVE_DESTRUCTION,
                 ARCHIVE, RESTORE_ARCHIVE -> role == DATA_MANAGER ? Expect.yes() : Expect.no();
            case DESTROY -> role == DATA_MANAGER ? Expect.yes(Condition.DESTRUCTION_APPROVED) : Expect.no();
            case LIST_OBJECTS, VERIFY_STORE, READ_AUDIT ->
                    role == DATA_MANAGER || role == COMPLIANCE_OFFICER ? Expect.yes() : Expect.no();
            case REQUEST_USE -> role == RESEARCHER || role == PROJECT_ADMIN ? Expect.yes() : Expect.no();
            case EXPORT_AGGREGATE -> role == RESEARCHER ? Expect.yes(Condition.APPROVED_USE) : Expect.no();
            case READ_ORIGINAL -> role == DATA_MANAGER && !clinical ? Expect.yes() : Expect.no();
            case READ_DERIVATIVE -> clinical ? Expect.no()
                    : role == DATA_MANAGER ? Expect.yes()
                    : role == RESEARCHER ? Expect.yes(Condition.APPROVED_USE, Condition.CONSENT_FOR_PURPOSE,
                    Condition.BIOMETRIC_DEIDENTIFIED) : Expect.no();
            case SELECT_FOR_TRAINING -> role == RESEARCHER && !clinical
                    ? Expect.yes(Condition.DERIVATIVE_ONLY, Condition.APPROVED_USE,
                    Condition.CONSENT_FOR_JOINT_MODELING, Condition.BIOMETRIC_DEIDENTIFIED) : Expect.no();
        };
    }

    static ConsentDecision consent(boolean permitted, boolean joint, Instant at) {
        return new ConsentDecision(permitted, permitted ? ConsentDecision.Reason.PERMITTED
                : ConsentDecision.Reason.EXPIRED, Purpose.RESEARCH, joint, at);
    }

    /** A request for the cell with every attribute as favourable as it can be. */
    static AccessRequest.Builder best(Role role, Operation op, SensitivityLevel g) {
        return best(role, op, g, ImagingCategory.CLINICAL_STRUCTURAL, op == Operation.READ_ORIGINAL);
    }

    static AccessRequest.Builder best(Role role, Operation op, SensitivityLevel g, ImagingCategory cat, boolean original) {
        AccessRequest.Builder b = g == null ? AccessRequest.site("alice", role, op, T)
                : AccessRequest.object("alice", role, op, g, cat, original, T);
        return b.purpose(Purpose.RESEARCH).consent(consent(true, true, T)).approvedUse(true)
                .approvals(List.of(new Approval("bob", DATA_MANAGER)));
    }

    /** Breaks one condition of a request for the cell. */
    static AccessRequest broken(Role role, Operation op, SensitivityLevel g, Condition c) {
        return switch (c) {
            case DERIVATIVE_ONLY -> best(role, op, g, ImagingCategory.CLINICAL_STRUCTURAL, true).build();
            case APPROVED_USE -> best(role, op, g).approvedUse(false).build();
            case CONSENT_FOR_PURPOSE -> best(role, op, g).consent(consent(false, true, T)).build();
            case CONSENT_FOR_JOINT_MODELING -> best(role, op, g).consent(consent(true, false, T)).build();
            case BIOMETRIC_DEIDENTIFIED -> best(role, op, g, ImagingCategory.PERSONAL_BIOMETRIC, false).build();
            case DESTRUCTION_APPROVED -> best(role, op, g).approvals(List.of()).build();
        };
    }

    /** The request with every condition the cell does not need taken away. */
    static AccessRequest minimal(Role role, Operation op, SensitivityLevel g, Set<Condition> needs) {
        boolean biometric = !needs.contains(Condition.BIOMETRIC_DEIDENTIFIED);
        AccessRequest.Builder b = g == null ? AccessRequest.site("alice", role, op, T)
                : AccessRequest.object("alice", role, op, g,
                biometric ? ImagingCategory.PERSONAL_BIOMETRIC : ImagingCategory.CLINICAL_STRUCTURAL,
                op == Operation.READ_ORIGINAL || op != Operation.READ_DERIVATIVE && !needs.contains(Condition.DERIVATIVE_ONLY), T);
        if (needs.contains(Condition.APPROVED_USE)) {
            b.approvedUse(true);
        }
        if (needs.contains(Condition.CONSENT_FOR_PURPOSE) || needs.contains(Condition.CONSENT_FOR_JOINT_MODELING)) {
            b.purpose(Purpose.RESEARCH).consent(consent(true, needs.contains(Condition.CONSENT_FOR_JOINT_MODELING), T));
        }
        if (needs.contains(Condition.DESTRUCTION_APPROVED)) {
            b.approvals(List.of(new Approval("bob", DATA_MANAGER)));
        }
        return b.build();
    }

    static List<SensitivityLevel> grades(Operation op) {
        List<SensitivityLevel> g = new ArrayList<>();
        if (op.scope() == Operation.Scope.SITE) {
            g.add(null);
        } else {
            g.addAll(Arrays.asList(SensitivityLevel.values()));
        }
        return g;
    }

    @TestFactory
    List<DynamicTest> everyCell() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Role role : Role.values()) {
            for (Operation op : Operation.values()) {
                for (SensitivityLevel g : grades(op)) {
                    String name = role.id() + " × " + op.id() + (g == null ? "" : " × grade " + g.level());
                    tests.add(DynamicTest.dynamicTest(name, () -> checkCell(role, op, g)));
                }
            }
        }
        return tests;
    }

    private void checkCell(Role role, Operation op, SensitivityLevel g) {
        Expect want = expected(role, op, g);
        String rule = role.id() + ":" + op.id();
        Decision d = policy.decide(best(role, op, g).build());
        assertEquals(want.allowed(), d.allowed(), d.toString());
        assertTrue(d.ruleId().startsWith(rule), d.toString());
        if (!want.allowed()) {
            assertTrue(d.reason().startsWith(role.id() + " may not " + op.id() + ": ") && d.reason().length() > 40,
                    "a refusal says who may not do what and why: " + d);
            if (g != null && g.level() >= 4 && PolicyTable.entry(role, op).granted()) {
                assertEquals(rule + ":grade-" + g.level(), d.ruleId());
                assertTrue(d.reason().contains("clinical staff"), d.reason());
            }
            return;
        }
        assertEquals(rule, d.ruleId());
        assertTrue(d.reason().startsWith(role.id() + " may " + op.id()), d.reason());
        // Nothing beyond what the cell needs is required ...
        Decision min = policy.decide(minimal(role, op, g, want.needs()));
        assertTrue(min.allowed(), "only " + want.needs() + " should be needed: " + min);
        // ... and each needed condition, broken alone, refuses with its own rule id.
        for (Condition c : want.needs()) {
            if (c == Condition.BIOMETRIC_DEIDENTIFIED && g.level() < 3) {
                Decision ok = policy.decide(broken(role, op, g, c));
                assertTrue(ok.allowed(), "a de-identified biometric image at grade 1-2 is usable: " + ok);
                continue;
            }
            Decision no = policy.decide(broken(role, op, g, c));
            assertFalse(no.allowed(), c + " was not checked: " + no);
            assertEquals(rule + ":" + c.id(), no.ruleId(), no.toString());
            assertTrue(no.reason().startsWith(role.id() + " may not " + op.id() + ": "), no.reason());
        }
    }

    @TestFactory
    List<DynamicTest> tableIsCompleteAndAgreesWithTheReadmeRenderer() {
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("one entry per role × operation", () -> {
            assertEquals(Role.values().length * Operation.values().length, PolicyTable.entries().size());
            assertEquals(PolicyTable.entries().size(), PolicyTable.entries().stream()
                    .map(PolicyTable.Entry::ruleId).distinct().count());
        }));
        for (Role role : Role.values()) {
            for (Operation op : Operation.values()) {
                for (SensitivityLevel g : grades(op)) {
                    tests.add(DynamicTest.dynamicTest("matrix " + role.id() + " × " + op.id() + " × " + g, () -> {
                        String cell = PolicyMatrix.cell(PolicyTable.entry(role, op), g);
                        assertEquals(expected(role, op, g).allowed(), !cell.equals("no"), cell);
                    }));
                }
            }
        }
        return tests;
    }

}
