package org.medveil.site.ingest;

import java.io.IOException;

/**
 * Makes ingest outcomes durable: the encrypted store implements it. The pipeline returns (and the
 * inbox deletes a file, the SCP answers success) only after {@link #store} returned, so the sink
 * must have synced the object and committed its index entry by then. Throwing means "not stored":
 * the inbox keeps the file, the SCP answers a failure and the sender keeps its copy.
 */
public interface IngestSink {

    /** What {@link #store} did with an accepted object. */
    enum Stored {
        /** Now durable. */
        STORED,
        /** An object with this SOP Instance UID and the same data set is already held; not stored twice. */
        DUPLICATE_SAME,
        /**
         * An object with this SOP Instance UID but a different data set is held; nothing was changed
         * (never a silent overwrite: {@link org.medveil.dicom.files.DuplicateSop}).
         */
        DUPLICATE_DIFFERENT
    }

    /** Stores original and derivative with provenance, category, grades, patient key and UID mapping. */
    Stored store(IngestOutcome.Accepted accepted) throws IOException;

    /** Records a refusal durably (provenance and PHI-free reason; the object's bytes are not kept). */
    void refused(IngestOutcome.Refused refused) throws IOException;
}
