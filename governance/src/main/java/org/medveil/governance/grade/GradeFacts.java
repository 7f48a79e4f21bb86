package org.medveil.governance.grade;

import java.util.List;
import java.util.Set;

/**
 * What grading looks at for one object.
 *
 * @param directIdentifiers keywords of direct identifiers present with a value (e.g. PatientName);
 *                          never their values
 * @param deidentified      de-identification was applied (Patient Identity Removed = YES)
 * @param quasiIdentifiers  indirect identifiers the de-identification kept
 * @param diagnosisCodes    diagnosis codes on the object (e.g. ICD-10 from Admitting Diagnoses Code Sequence)
 * @param descriptions      free-text descriptions that may name a disease (study, series, procedure, reason)
 * @param declaredPublic    the data owner declared the object public (open data set)
 */
public record GradeFacts(Set<String> directIdentifiers, boolean deidentified, Set<QuasiIdentifier> quasiIdentifiers,
                         List<String> diagnosisCodes, List<String> descriptions, boolean declaredPublic) {
    public GradeFacts {
        directIdentifiers = directIdentifiers == null ? Set.of() : Set.copyOf(directIdentifiers);
        quasiIdentifiers = quasiIdentifiers == null ? Set.of() : Set.copyOf(quasiIdentifiers);
        diagnosisCodes = diagnosisCodes == null ? List.of() : List.copyOf(diagnosisCodes);
        descriptions = descriptions == null ? List.of() : List.copyOf(descriptions);
    }
}
