package org.medveil.site.ingest;

/**
 * Audit trail of ingest (REQ-USE-4): called after the sink returned, once per object. Records only
 * PHI-free facts (digest, category, grades, reason, pseudonymous patient key).
 */
public interface IngestRecorder {

    /** Records nothing (tests, or before the audit log is wired in). */
    IngestRecorder NONE = new IngestRecorder() {
        @Override
        public void ingested(IngestOutcome.Accepted accepted, IngestSink.Stored stored) {}

        @Override
        public void refused(IngestOutcome.Refused refused) {}
    };

    /** An accepted object: stored, or a duplicate of a held one. */
    void ingested(IngestOutcome.Accepted accepted, IngestSink.Stored stored);

    /** A refused object, including a duplicate SOP Instance UID with different content. */
    void refused(IngestOutcome.Refused refused);
}
