package org.medveil.governance.consent;

import java.util.regex.Pattern;

/**
 * A patient's pseudonym: 64 lower-case hex digits of HMAC-SHA256 over the patient ID under the
 * site's secret key (see {@link PatientPseudonymizer}). It identifies the same patient across
 * the consent registry, the index and the audit trail without the patient ID itself; without the
 * key it cannot be reversed or recomputed from a guessed ID.
 */
public record PatientPseudonym(String hex) {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public PatientPseudonym {
        if (hex == null || !HEX.matcher(hex).matches()) {
            // Never echo the value: a caller might have passed a patient ID by mistake.
            throw new IllegalArgumentException("a patient pseudonym is 64 lower-case hex digits (HMAC-SHA256)");
        }
    }

    @Override
    public String toString() {
        return hex;
    }
}
