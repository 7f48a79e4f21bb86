package org.medveil.site.ingest;

import java.time.Instant;
import java.util.Set;

/** The consent registry as the pipeline sees it (REQ-ACQ-3). */
@FunctionalInterface
public interface ConsentLookup {

    /** No registry: no patient has consented to anything. */
    ConsentLookup NONE = (patientKey, at) -> Set.of();

    /**
     * Purposes the patient has valid (not withdrawn, not expired) consent for at {@code at};
     * empty when there is no record.
     */
    Set<String> validPurposes(String patientKey, Instant at);
}
