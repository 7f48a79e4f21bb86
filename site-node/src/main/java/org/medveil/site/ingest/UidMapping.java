package org.medveil.site.ingest;

/**
 * Original → de-identified UIDs of one object, so labels keyed by the original SOP Instance UID
 * can be re-keyed to the derivative. Identifying: kept only in the encrypted store.
 */
public record UidMapping(String originalSopInstanceUid, String derivedSopInstanceUid,
                         String originalStudyInstanceUid, String derivedStudyInstanceUid,
                         String originalSeriesInstanceUid, String derivedSeriesInstanceUid) {}
