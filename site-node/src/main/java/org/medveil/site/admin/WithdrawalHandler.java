package org.medveil.site.admin;

import org.medveil.governance.audit.DestructionCertificate;
import org.medveil.governance.consent.PatientPseudonym;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.pki.Role;
import org.medveil.site.lifecycle.DestructionService;

import java.util.List;

/**
 * Called by the admin API after a consent withdrawal is recorded and audited, with the patient's
 * pseudonym, the purpose, the ids of the patient's derivatives not yet destroyed, and the
 * withdrawing caller (certificate fingerprint and role, from the certificate). The withdrawal
 * already makes the derivatives unselectable for the purpose; {@link #destroying} destroys them
 * (REQ-ACQ-3, DEL-2) through the {@link DestructionService}.
 */
@FunctionalInterface
public interface WithdrawalHandler {

    /** What became of the derivatives: a request id, and the certificate once executed (null while it waits). */
    record Outcome(String requestId, DestructionCertificate certificate) {
    }

    /** Does nothing (no lifecycle); the derivatives stay, unselectable for the purpose. */
    WithdrawalHandler NONE = (patient, purpose, derivatives, fingerprint, role) -> null;

    /** Null when nothing was started. */
    Outcome withdrawn(PatientPseudonym patient, Purpose purpose, List<String> derivativeIds, String fingerprint, Role role);

    /**
     * The approval model: the withdrawing data manager's call is the first approval (the policy
     * already allowed it manage-consent, and the destruction service checks approve-destruction
     * again). When one approval suffices the derivatives are destroyed and certified at once; with
     * {@code secondPersonForDestruction} the withdrawal files a derivatives-only request carrying
     * that approval, and a second, different data manager approves and executes it with
     * {@code medveil site destroy approve|execute}.
     */
    static WithdrawalHandler destroying(DestructionService destruction) {
        return (patient, purpose, derivatives, fingerprint, role) -> {
            if (derivatives.isEmpty()) {
                return null;
            }
            DestructionService.Approver me = new DestructionService.Approver(fingerprint, role);
            if (destruction.approvalsNeeded() <= 1) {
                DestructionCertificate cert = destruction.destroyDerivedForPurpose(patient.hex(), purpose, fingerprint,
                        List.of(me));
                return new Outcome(cert.statement().id(), cert);
            }
            String id = destruction.requestDerivedForPurpose(patient.hex(), purpose, fingerprint);
            destruction.approve(id, fingerprint, role);
            return new Outcome(id, null);
        };
    }
}
