package org.medveil.site.ingest;

/**
 * Provenance facts of one received object (REQ-ACQ-5), known before any decision: its source,
 * size and SHA-256 content digest, and (when it parsed) modality and SOP class. No PHI: the
 * digest names the object.
 *
 * @param modality    Modality (0008,0060), or null when absent or unreadable
 * @param sopClassUid SOP Class UID (0008,0016), or null
 * @param size        bytes as received (Part 10 file)
 * @param sha256      hex SHA-256 of the bytes as received
 */
public record Provenance(Source source, String modality, String sopClassUid, long size, String sha256) {}
