package org.medveil.site.node;

import org.medveil.governance.audit.AuditLog;
import org.medveil.site.ingest.IngestOutcome;
import org.medveil.site.ingest.IngestRecorder;
import org.medveil.site.ingest.IngestSink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pipeline's {@link IngestRecorder}: one audit record per ingest, de-identification and
 * refusal (REQ-USE-4), forced to disk before the pipeline returns (so before the source
 * acknowledges). Fields are ids, digests, pseudonymous keys, category, grade and channel only:
 * never a name, patient ID, UID, date of the object or inbox path.
 */
public final class AuditRecorder implements IngestRecorder {

    /** Actor of ingest records: the daemon itself. */
    public static final String ACTOR = "site-node";

    private final AuditLog audit;
    private final StoreSink sink;

    public AuditRecorder(AuditLog audit, StoreSink sink) {
        this.audit = Objects.requireNonNull(audit);
        this.sink = Objects.requireNonNull(sink);
    }

    @Override
    public void ingested(IngestOutcome.Accepted a, IngestSink.Stored stored) {
        StoreSink.Ids ids = sink.takeIds(a.provenance().sha256());
        Map<String, String> f = common(a.provenance());
        f.put("result", stored.name().toLowerCase(java.util.Locale.ROOT));
        f.put("object", ids == null ? "" : ids.original());
        f.put("category", a.classification().category().name());
        f.put("grade", Integer.toString(a.originalGrade().level().level()));
        f.put("patientKey", a.patientKey() == null ? "" : a.patientKey());
        Set<String> purposes = new TreeSet<>(a.consentedPurposes());
        f.put("consentedPurposes", String.join(",", purposes));
        List<AuditLog.Entry> records = new ArrayList<>();
        records.add(new AuditLog.Entry("ingest", ACTOR, f));
        if (ids != null && ids.derivativeMade()) { // a re-delivered duplicate made nothing new
            Map<String, String> d = new LinkedHashMap<>();
            d.put("original", ids.original());
            d.put("derivative", ids.derivative());
            d.put("profile", a.deidProfile());
            d.put("grade", Integer.toString(a.derivativeGrade().level().level()));
            d.put("category", a.classification().category().name());
            records.add(new AuditLog.Entry("deid", ACTOR, d));
        }
        audit.appendAll(records); // both records, one force to disk
    }

    @Override
    public void refused(IngestOutcome.Refused r) {
        Map<String, String> f = common(r.provenance());
        f.put("kind", r.kind().name());
        f.put("reason", r.reason());
        audit.append("refusal", ACTOR, f);
    }

    private static Map<String, String> common(org.medveil.site.ingest.Provenance p) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("channel", p.source().channel().name().toLowerCase(java.util.Locale.ROOT));
        if (p.source().callingAe() != null) {
            f.put("callingAe", p.source().callingAe());
        }
        f.put("digest", p.sha256());
        f.put("size", Long.toString(p.size()));
        f.put("modality", p.modality() == null ? "" : p.modality());
        f.put("sopClass", p.sopClassUid() == null ? "" : p.sopClassUid());
        return f;
    }
}
