package org.medveil.governance.policy;

import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.consent.ConsentDecision;
import org.medveil.governance.grade.SensitivityLevel;
import org.medveil.governance.pki.Role;

import java.time.Duration;
import java.util.Objects;

/**
 * The site's access policy engine (REQ-STO-4, REQ-USE-3): role-based first (the
 * {@link PolicyTable} entry for role × operation), then attribute-based on the object — grade,
 * original or derivative, category — and on the use — approval, consent and its freshness,
 * destruction approvals. Each request is decided on its own from the attributes it carries;
 * nothing is remembered between requests. Every refusal names the rule and a reason without
 * patient data.
 */
public final class AccessPolicy {

    private final PolicyOptions options;

    public AccessPolicy(PolicyOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public PolicyOptions options() {
        return options;
    }

    public Decision decide(AccessRequest r) {
        PolicyTable.Entry e = PolicyTable.entry(r.role(), r.operation());
        String id = e.ruleId();
        String who = r.role().id() + " may not " + r.operation().id() + ": ";
        if (!e.granted()) {
            return new Decision(false, who + e.why(), id);
        }
        // Only derivatives are selectable, whatever their grade: checked before the grade.
        if (e.conditions().contains(Condition.DERIVATIVE_ONLY) && Boolean.TRUE.equals(r.original())) {
            return new Decision(false, who + "only de-identified derivatives are selectable for joint modeling,"
                    + " never originals", id + ":" + Condition.DERIVATIVE_ONLY.id());
        }
        if (r.grade() != null && !e.grades().contains(r.grade())) {
            return new Decision(false, who + gradeReason(r.grade()), id + ":grade-" + r.grade().level());
        }
        for (Condition c : e.conditions()) {
            String failure = failure(c, r);
            if (failure != null) {
                return new Decision(false, who + failure, id + ":" + c.id());
            }
        }
        return new Decision(true, r.role().id() + " may " + r.operation().id()
                + (r.grade() == null ? "" : " at grade " + r.grade().level()) + ": " + e.why(), id);
    }

    private static String gradeReason(SensitivityLevel g) {
        return switch (g) {
            case L4 -> "grade 4 data can directly identify a person and is for the clinical staff treating the"
                    + " patient only (clause 5.5); no MedVeil role is clinical staff";
            case L5 -> "grade 5 data (a special disease) is for attending clinical staff only, under strict control"
                    + " (clause 5.5); no MedVeil role is clinical staff";
            default -> "this role has no access to grade " + g.level() + " objects";
        };
    }

    /** Null when the condition holds; otherwise why not. */
    private String failure(Condition c, AccessRequest r) {
        return switch (c) {
            case DERIVATIVE_ONLY -> null; // checked above
            case APPROVED_USE -> r.approvedUse() ? null
                    : "no approved use request covers this; the data manager approves each use (5.6.2a)";
            case CONSENT_FOR_PURPOSE -> consentFailure(r, false);
            case CONSENT_FOR_JOINT_MODELING -> consentFailure(r, true);
            case BIOMETRIC_DEIDENTIFIED -> r.category() == ImagingCategory.PERSONAL_BIOMETRIC
                    && r.grade().compareTo(SensitivityLevel.L3) >= 0
                    ? "a personal biometric image that may still be re-identified is personal sensitive information"
                    + " (5.1.2e); only at grade 1-2, with recognizable features removed" : null;
            case DESTRUCTION_APPROVED -> destructionFailure(r);
        };
    }

    private String consentFailure(AccessRequest r, boolean jointModeling) {
        if (r.purpose() == null) {
            return "the request names no purpose of use, so consent cannot be checked";
        }
        ConsentDecision d = r.consent();
        if (d == null) {
            return "no consent decision was made for this access (5.1.2b)";
        }
        if (d.purpose() != r.purpose() || (jointModeling && !d.jointModeling())) {
            return "the consent decision was made for another use (" + d.purpose().id()
                    + (d.jointModeling() ? " with joint modeling" : "") + "); decide consent for "
                    + r.purpose().id() + (jointModeling ? " with joint modeling" : "");
        }
        Duration age = Duration.between(d.decidedAt(), r.time());
        if (age.isNegative() || age.compareTo(options.consentMaxAge()) > 0) {
            return "the consent decision is not from the time of this access (" + age.toSeconds()
                    + " s apart, at most " + options.consentMaxAge().toSeconds()
                    + " s allowed); check consent again for each access";
        }
        return d.permitted() ? null : "consent: " + d.reason().text();
    }

    private String destructionFailure(AccessRequest r) {
        boolean anyApproval = false;
        for (Approval a : r.approvals()) {
            if (a.role() != Role.DATA_MANAGER) {
                continue;
            }
            anyApproval = true;
            if (!options.secondPersonForDestruction() || !a.user().equals(r.user())) {
                return null;
            }
        }
        return anyApproval
                ? "this site requires a second data manager's approval for destruction; the requester's own does not count"
                : "destruction needs a data manager's approval (5.8b)";
    }
}
