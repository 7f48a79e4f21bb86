package org.medveil.governance.consent;

import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One patient's recorded authorization (REQ-ACQ-3): the purposes consented to, whether sharing
 * in joint modeling is consented, the days it holds and, once withdrawn, when.
 *
 * @param patient      the keyed pseudonym, never the patient ID
 * @param purposes     at least one purpose
 * @param jointModeling whether the patient consented to sharing in joint modeling (共享)
 * @param validFrom    first day the consent holds (site time zone)
 * @param expires      first day it no longer holds, or {@code null} for no end date
 * @param withdrawnAt  when the patient withdrew it, or {@code null}
 */
public record ConsentRecord(PatientPseudonym patient, Set<Purpose> purposes, boolean jointModeling,
                            LocalDate validFrom, LocalDate expires, Instant withdrawnAt) {

    public ConsentRecord {
        Objects.requireNonNull(patient, "patient");
        Objects.requireNonNull(validFrom, "validFrom");
        if (purposes == null || purposes.isEmpty()) {
            throw new IllegalArgumentException("a consent names at least one purpose (" + Purpose.allIds() + ")");
        }
        purposes = Set.copyOf(EnumSet.copyOf(purposes));
        if (expires != null && !expires.isAfter(validFrom)) {
            throw new IllegalArgumentException("a consent must expire after the day it starts");
        }
    }

    /** This consent, withdrawn at {@code at}; an earlier withdrawal stays in force. */
    public ConsentRecord withdraw(Instant at) {
        Objects.requireNonNull(at, "at");
        Instant when = withdrawnAt != null && withdrawnAt.isBefore(at) ? withdrawnAt : at;
        return new ConsentRecord(patient, purposes, jointModeling, validFrom, expires, when);
    }
}
