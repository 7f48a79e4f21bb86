package org.medveil.governance.policy;

import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.consent.ConsentDecision;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.grade.SensitivityLevel;
import org.medveil.governance.pki.Role;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One request to decide (REQ-STO-4): who asks (certificate name and role), what for, and the
 * attributes of the object concerned. It holds no patient data: grades, categories and decisions
 * only.
 *
 * @param user          the requester's certificate name (not a patient)
 * @param role          the requester's role from the certificate
 * @param operation     what is asked
 * @param grade         the object's level; {@code null} exactly when the operation is not about one object
 * @param category      the object's Table 1 category; {@code null} when not about an object
 * @param original      whether the object is an original (as received) rather than a derivative;
 *                      {@code null} when not about an object
 * @param purpose       the purpose of the use, or {@code null} when the operation is no use
 * @param consent       the consent decision for the object's patient, or {@code null} when not checked
 * @param approvedUse   whether the request runs under a use request the data manager approved
 * @param approvals     approvals attached to the request (destruction)
 * @param time          when the access happens
 */
public record AccessRequest(String user, Role role, Operation operation, SensitivityLevel grade,
                            ImagingCategory category, Boolean original, Purpose purpose,
                            ConsentDecision consent, boolean approvedUse, List<Approval> approvals, Instant time) {

    public AccessRequest {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(time, "time");
        approvals = approvals == null ? List.of() : List.copyOf(approvals);
        boolean aboutObject = operation.scope() == Operation.Scope.OBJECT;
        if (aboutObject != (grade != null) || aboutObject != (category != null) || aboutObject != (original != null)) {
            throw new IllegalArgumentException("operation " + operation.id() + (aboutObject
                    ? " is about one object: give its grade, category and original/derivative"
                    : " is not about one object: give no grade, category or original/derivative"));
        }
        if (operation == Operation.READ_ORIGINAL && !original || operation == Operation.READ_DERIVATIVE && original) {
            throw new IllegalArgumentException("operation " + operation.id() + " does not match the object, which is "
                    + (original ? "an original" : "a derivative"));
        }
    }

    /** A request about no particular object. */
    public static Builder site(String user, Role role, Operation operation, Instant time) {
        return new Builder(user, role, operation, time);
    }

    /** A request about one object. */
    public static Builder object(String user, Role role, Operation operation, SensitivityLevel grade,
                                 ImagingCategory category, boolean original, Instant time) {
        Builder b = new Builder(user, role, operation, time);
        b.grade = grade;
        b.category = category;
        b.original = original;
        return b;
    }

    /** Fills the optional attributes. */
    public static final class Builder {
        private final String user;
        private final Role role;
        private final Operation operation;
        private final Instant time;
        private SensitivityLevel grade;
        private ImagingCategory category;
        private Boolean original;
        private Purpose purpose;
        private ConsentDecision consent;
        private boolean approvedUse;
        private List<Approval> approvals = List.of();

        private Builder(String user, Role role, Operation operation, Instant time) {
            this.user = user;
            this.role = role;
            this.operation = operation;
            this.time = time;
        }

        public Builder purpose(Purpose p) {
            this.purpose = p;
            return this;
        }

        public Builder consent(ConsentDecision c) {
            this.consent = c;
            return this;
        }

        public Builder approvedUse(boolean a) {
            this.approvedUse = a;
            return this;
        }

        public Builder approvals(List<Approval> a) {
            this.approvals = a;
            return this;
        }

        public AccessRequest build() {
            return new AccessRequest(user, role, operation, grade, category, original, purpose, consent,
                    approvedUse, approvals, time);
        }
    }
}
