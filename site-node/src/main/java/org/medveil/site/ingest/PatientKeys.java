package org.medveil.site.ingest;

/**
 * Turns a Patient ID into the site's pseudonymous patient key (a keyed hash; the consent registry
 * implements it with the site's HMAC key). The clear ID never leaves the pipeline.
 */
@FunctionalInterface
public interface PatientKeys {
    /** @param patientId the object's Patient ID (0010,0020), never null or blank */
    String pseudonym(String patientId);
}
