package org.medveil.site.admin;

import org.medveil.governance.consent.PatientPseudonym;
import org.medveil.governance.consent.Purpose;

import java.util.List;

/**
 * Called by the admin API after a consent withdrawal is recorded and audited, with the patient's
 * pseudonym, the purpose and the ids of the patient's derivatives. The withdrawal already makes
 * them unselectable for that purpose (the consent check refuses); destroying the derived data
 * (REQ-ACQ-3, DEL-*) is the lifecycle code's job and will be connected here. The default does
 * nothing.
 */
@FunctionalInterface
public interface WithdrawalHandler {

    WithdrawalHandler NONE = (patient, purpose, derivatives) -> { };

    void withdrawn(PatientPseudonym patient, Purpose purpose, List<String> derivativeIds);
}
