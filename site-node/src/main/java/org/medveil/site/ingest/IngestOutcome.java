package org.medveil.site.ingest;

import org.medveil.governance.classify.Classification;
import org.medveil.governance.grade.Grade;

import java.util.Objects;
import java.util.Set;

/** What the pipeline decided for one object: refused with a PHI-free reason, or accepted with both versions. */
public sealed interface IngestOutcome {

    Provenance provenance();

    /**
     * Refused (REQ-ACQ-1): out of profile, unreadable, refused by de-identification, no consent
     * (when the profile demands it) or a duplicate SOP Instance UID with different content.
     *
     * @param reason PHI-free: names a rule and, at most, a coded value (modality, body part, SOP class)
     * @param kind   the refusal's category, for the SCP status and counters
     */
    record Refused(Provenance provenance, Kind kind, String reason) implements IngestOutcome {
        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why an object was refused. */
    enum Kind { NOT_DICOM, OUT_OF_PROFILE, NO_CONSENT, DEID_REFUSED, DUPLICATE_DIFFERENT }

    /**
     * Accepted: the original exactly as received and its de-identified derivative, with everything
     * the store indexes. Only the derivative is ever selectable for joint modeling, and only when
     * {@code derivativeGrade} is below level 4 (REQ-GRADE-2).
     *
     * @param original           the bytes as received (identified: encrypt at rest at once, REQ-ACQ-6)
     * @param derivative         the de-identified Part 10 file
     * @param bodyPart           Body Part Examined, or null
     * @param classification     Table 1 category with reasons (REQ-ACQ-7)
     * @param originalGrade      level of the original with reasons (REQ-GRADE-1)
     * @param derivativeGrade    level of the derivative with reasons
     * @param patientKey         pseudonymous patient key (keyed hash), or null when the object names no patient
     * @param consentedPurposes  purposes with valid consent at ingest time (REQ-ACQ-3), possibly empty
     * @param uids               original → derived UIDs
     * @param deidProfile        name of the de-identification profile applied
     */
    record Accepted(Provenance provenance, byte[] original, byte[] derivative, String bodyPart,
                    Classification classification, Grade originalGrade, Grade derivativeGrade, String patientKey,
                    Set<String> consentedPurposes, UidMapping uids, String deidProfile) implements IngestOutcome {
        public Accepted {
            consentedPurposes = Set.copyOf(consentedPurposes);
        }
    }
}
