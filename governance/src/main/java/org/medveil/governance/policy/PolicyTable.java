package org.medveil.governance.policy;

import org.medveil.governance.grade.SensitivityLevel;
import org.medveil.governance.pki.Role;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.medveil.governance.pki.Role.COMPLIANCE_OFFICER;
import static org.medveil.governance.pki.Role.DATA_MANAGER;
import static org.medveil.governance.pki.Role.PROJECT_ADMIN;
import static org.medveil.governance.pki.Role.RESEARCHER;
import static org.medveil.governance.policy.Condition.APPROVED_USE;
import static org.medveil.governance.policy.Condition.BIOMETRIC_DEIDENTIFIED;
import static org.medveil.governance.policy.Condition.CONSENT_FOR_JOINT_MODELING;
import static org.medveil.governance.policy.Condition.CONSENT_FOR_PURPOSE;
import static org.medveil.governance.policy.Condition.DERIVATIVE_ONLY;
import static org.medveil.governance.policy.Condition.DESTRUCTION_APPROVED;
import static org.medveil.governance.policy.Operation.APPROVE_DESTRUCTION;
import static org.medveil.governance.policy.Operation.APPROVE_USE;
import static org.medveil.governance.policy.Operation.ARCHIVE;
import static org.medveil.governance.policy.Operation.BACKUP;
import static org.medveil.governance.policy.Operation.DESTROY;
import static org.medveil.governance.policy.Operation.EXPORT_AGGREGATE;
import static org.medveil.governance.policy.Operation.INGEST;
import static org.medveil.governance.policy.Operation.LIST_OBJECTS;
import static org.medveil.governance.policy.Operation.MANAGE_CONSENT;
import static org.medveil.governance.policy.Operation.MANAGE_LABELS;
import static org.medveil.governance.policy.Operation.READ_AUDIT;
import static org.medveil.governance.policy.Operation.READ_DERIVATIVE;
import static org.medveil.governance.policy.Operation.READ_ORIGINAL;
import static org.medveil.governance.policy.Operation.REQUEST_USE;
import static org.medveil.governance.policy.Operation.RESTORE;
import static org.medveil.governance.policy.Operation.RESTORE_ARCHIVE;
import static org.medveil.governance.policy.Operation.SELECT_FOR_TRAINING;
import static org.medveil.governance.policy.Operation.VERIFY_STORE;
import static org.medveil.governance.policy.Operation.VIEW_STATUS;

/**
 * The access rules as data, in one place (REQ-USE-3, REQ-STO-4): exactly one entry per role and
 * operation, either a refusal with its reason or a grant with the grades it covers and the
 * attribute {@link Condition}s it needs. {@link AccessPolicy} evaluates it; {@link PolicyMatrix}
 * renders it into governance/README.md. Default deny: the table must be complete, so adding an
 * operation fails at class load until someone writes down who may use it.
 *
 * <p>Where the rules come from: grades 4–5 are for clinical staff treating the patient only
 * (clause 5.5) and no MedVeil role is clinical staff, so nobody reads them here and nothing of
 * theirs is selected; researchers never reach originals; only derivatives are selectable for joint
 * modeling (5.1.2e); uses need the data manager's approval (5.6.2a) and the patient's consent
 * (5.1.2b); only data managers restore archives (5.7c) and destruction needs their approval
 * (5.8b); compliance officers read the audit and verify but see no images; the project admin
 * runs the project but reads no patient data (least privilege, 5.6.2c).
 */
public final class PolicyTable {

    /** One cell row of the table: role × operation. */
    public record Entry(Role role, Operation operation, boolean granted, Set<SensitivityLevel> grades,
                        Set<Condition> conditions, String why) {
        public Entry {
            grades = grades.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(grades));
            conditions = conditions.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(conditions));
        }

        /** {@code role:operation}, the id of this rule. */
        public String ruleId() {
            return role.id() + ":" + operation.id();
        }
    }

    private static final Set<SensitivityLevel> ALL = EnumSet.allOf(SensitivityLevel.class);
    private static final Set<SensitivityLevel> UP_TO_3 = EnumSet.of(SensitivityLevel.L1, SensitivityLevel.L2, SensitivityLevel.L3);

    private static final String NOT_COMPLIANCE = "compliance officers review the audit trail and verify the store;"
            + " they do not read images or change data";
    private static final String NOT_ADMIN = "the project admin runs the project; it does not read or change a site's"
            + " patient data";
    private static final String DM_ONLY = "only the site's data manager may do this";

    private static final List<Entry> ENTRIES = build();

    private PolicyTable() {
    }

    /** Every entry, grouped by operation in declaration order, then role. */
    public static List<Entry> entries() {
        return ENTRIES;
    }

    /** The entry for {@code role} and {@code operation}. */
    public static Entry entry(Role role, Operation operation) {
        for (Entry e : ENTRIES) {
            if (e.role() == role && e.operation() == operation) {
                return e;
            }
        }
        throw new IllegalStateException("no policy entry for " + role + ":" + operation);
    }

    private static List<Entry> build() {
        Map<Operation, Map<Role, Entry>> t = new EnumMap<>(Operation.class);
        for (Role r : Role.values()) {
            grant(t, r, VIEW_STATUS, Set.of(), "status carries no patient data");
        }

        grant(t, DATA_MANAGER, INGEST, Set.of(), "the data manager runs collection (5.1)");
        refuse(t, RESEARCHER, INGEST, "researchers do not bring data into a site; the data manager collects it");
        refuse(t, COMPLIANCE_OFFICER, INGEST, NOT_COMPLIANCE);
        refuse(t, PROJECT_ADMIN, INGEST, NOT_ADMIN);

        grant(t, DATA_MANAGER, LIST_OBJECTS, Set.of(), "the data manager keeps the index");
        grant(t, COMPLIANCE_OFFICER, LIST_OBJECTS, Set.of(), "pseudonymous metadata only, to check grades, consents and provenance");
        refuse(t, RESEARCHER, LIST_OBJECTS, "researchers reach data only through approved use requests, not by browsing the index");
        refuse(t, PROJECT_ADMIN, LIST_OBJECTS, NOT_ADMIN);

        for (Operation op : List.of(MANAGE_CONSENT, MANAGE_LABELS, BACKUP, RESTORE, APPROVE_DESTRUCTION)) {
            grant(t, DATA_MANAGER, op, Set.of(), "a data manager's duty");
            refuse(t, RESEARCHER, op, DM_ONLY);
            refuse(t, COMPLIANCE_OFFICER, op, NOT_COMPLIANCE);
            refuse(t, PROJECT_ADMIN, op, NOT_ADMIN);
        }

        grant(t, RESEARCHER, REQUEST_USE, Set.of(), "researchers file use requests (5.6.2a)");
        grant(t, PROJECT_ADMIN, REQUEST_USE, Set.of(), "the project admin files the project's jobs");
        refuse(t, DATA_MANAGER, REQUEST_USE, "the data manager approves use requests and does not file them (separation of duties)");
        refuse(t, COMPLIANCE_OFFICER, REQUEST_USE, NOT_COMPLIANCE);

        grant(t, DATA_MANAGER, APPROVE_USE, Set.of(), "the data manager approves or rejects each use (5.6.2a)");
        refuse(t, RESEARCHER, APPROVE_USE, "only the data manager approves a use (5.6.2a); a researcher cannot approve their own");
        refuse(t, COMPLIANCE_OFFICER, APPROVE_USE, NOT_COMPLIANCE);
        refuse(t, PROJECT_ADMIN, APPROVE_USE, "only the site's data manager approves a use (5.6.2a)");

        grant(t, DATA_MANAGER, READ_ORIGINAL, UP_TO_3, "custodian of the site's data, below the clinical grades");
        refuse(t, RESEARCHER, READ_ORIGINAL, "researchers never reach originals, only de-identified derivatives");
        refuse(t, COMPLIANCE_OFFICER, READ_ORIGINAL, NOT_COMPLIANCE);
        refuse(t, PROJECT_ADMIN, READ_ORIGINAL, NOT_ADMIN);

        grant(t, DATA_MANAGER, READ_DERIVATIVE, UP_TO_3, "custodian of the site's data, below the clinical grades");
        grant(t, RESEARCHER, READ_DERIVATIVE, UP_TO_3, "research use of de-identified data after approval (5.5 levels 2-3)",
                APPROVED_USE, CONSENT_FOR_PURPOSE, BIOMETRIC_DEIDENTIFIED);
        refuse(t, COMPLIANCE_OFFICER, READ_DERIVATIVE, NOT_COMPLIANCE);
        refuse(t, PROJECT_ADMIN, READ_DERIVATIVE, NOT_ADMIN);

        grant(t, RESEARCHER, SELECT_FOR_TRAINING, UP_TO_3, "joint modeling on consented, de-identified derivatives",
                DERIVATIVE_ONLY, APPROVED_USE, CONSENT_FOR_JOINT_MODELING, BIOMETRIC_DEIDENTIFIED);
        refuse(t, DATA_MANAGER, SELECT_FOR_TRAINING, "selection runs under a researcher's approved use request; the data manager approves it");
        refuse(t, COMPLIANCE_OFFICER, SELECT_FOR_TRAINING, NOT_COMPLIANCE);
        refuse(t, PROJECT_ADMIN, SELECT_FOR_TRAINING, NOT_ADMIN);

        grant(t, RESEARCHER, EXPORT_AGGREGATE, Set.of(), "the approved job's aggregate result, never images", APPROVED_USE);
        refuse(t, DATA_MANAGER, EXPORT_AGGREGATE, "aggregates leave the site only for the researcher's approved job");
        refuse(t, COMPLIANCE_OFFICER, EXPORT_AGGREGATE, NOT_COMPLIANCE);
        refuse(t, PROJECT_ADMIN, EXPORT_AGGREGATE, "aggregates leave the site only for the researcher's approved job");

        for (Operation op : List.of(VERIFY_STORE, READ_AUDIT)) {
            grant(t, DATA_MANAGER, op, Set.of(), "the data manager checks their own store and trail");
            grant(t, COMPLIANCE_OFFICER, op, Set.of(), "compliance review (5.6.2d)");
            refuse(t, RESEARCHER, op, "researchers have no part in reviewing the site's store and audit");
            refuse(t, PROJECT_ADMIN, op, NOT_ADMIN);
        }

        grant(t, DATA_MANAGER, ARCHIVE, ALL, "archiving policy is the data manager's (5.7)");
        grant(t, DATA_MANAGER, RESTORE_ARCHIVE, ALL, "only data managers restore archives (5.7c)");
        grant(t, DATA_MANAGER, DESTROY, ALL, "destruction with approval (5.8b)", DESTRUCTION_APPROVED);
        for (Operation op : List.of(ARCHIVE, RESTORE_ARCHIVE, DESTROY)) {
            refuse(t, RESEARCHER, op, op == RESTORE_ARCHIVE ? "only data managers restore archives (5.7c)" : DM_ONLY);
            refuse(t, COMPLIANCE_OFFICER, op, NOT_COMPLIANCE);
            refuse(t, PROJECT_ADMIN, op, NOT_ADMIN);
        }

        List<Entry> out = new ArrayList<>();
        for (Operation op : Operation.values()) {
            for (Role r : Role.values()) {
                Entry e = t.getOrDefault(op, Map.of()).get(r);
                if (e == null) {
                    throw new IllegalStateException("policy table has no entry for " + r + ":" + op
                            + "; write down whether and when this role may do it");
                }
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    private static void grant(Map<Operation, Map<Role, Entry>> t, Role r, Operation op, Set<SensitivityLevel> grades,
                              String why, Condition... conditions) {
        if ((op.scope() == Operation.Scope.OBJECT) == grades.isEmpty()) {
            throw new IllegalStateException(op + ": grades must be given exactly for object operations");
        }
        put(t, new Entry(r, op, true, grades, conditions.length == 0 ? Set.of() : EnumSet.of(conditions[0], conditions), why));
    }

    private static void refuse(Map<Operation, Map<Role, Entry>> t, Role r, Operation op, String why) {
        put(t, new Entry(r, op, false, Set.of(), Set.of(), why));
    }

    private static void put(Map<Operation, Map<Role, Entry>> t, Entry e) {
        if (t.computeIfAbsent(e.operation(), k -> new EnumMap<>(Role.class)).putIfAbsent(e.role(), e) != null) {
            throw new IllegalStateException("policy table has two entries for " + e.ruleId());
        }
    }
}
