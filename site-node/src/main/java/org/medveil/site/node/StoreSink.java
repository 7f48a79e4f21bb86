package org.medveil.site.node;

import org.medveil.dicom.io.DicomReader;
import org.medveil.site.ingest.IngestOutcome;
import org.medveil.site.ingest.IngestSink;
import org.medveil.site.ingest.Source;
import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.ObjectMeta;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.Provenance;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pipeline's {@link IngestSink} over the encrypted {@link ObjectStore} (REQ-STO-1, ACQ-6):
 * the original as received (kind ORIGINAL, with its keyed SOP Instance UID and Accession Number),
 * and the de-identified derivative (kind DERIVATIVE, parent = the original), stored together by
 * {@link ObjectStore#putPair}. Returns only once both are durable and indexed, so the source may
 * acknowledge.
 *
 * <p>Duplicates by SOP Instance UID (the codec's rule, never a silent overwrite): same content →
 * {@code DUPLICATE_SAME}, and a missing derivative (a store written before pairs were one
 * write, where a crash could come between the two puts) is made now; different content →
 * {@code DUPLICATE_DIFFERENT}, nothing changes. Stores are serialized so two copies of one object
 * arriving together cannot both become originals.
 */
public final class StoreSink implements IngestSink {

    private static final Logger LOG = LoggerFactory.getLogger(StoreSink.class);
    private static final int ACCESSION_NUMBER = 0x00080050;

    /** The ids one {@link #store} call produced, for the audit record that follows it. */
    public record Ids(String original, String derivative, boolean derivativeMade) {}

    private final ObjectStore store;
    private final LookupKeys keys;
    private final String dataset;
    /** content digest → ids, taken by {@link AuditRecorder} right after the pipeline's store call. */
    private final Map<String, Ids> recent = new ConcurrentHashMap<>();

    public StoreSink(ObjectStore store, LookupKeys keys, String dataset) {
        this.store = Objects.requireNonNull(store);
        this.keys = Objects.requireNonNull(keys);
        this.dataset = Objects.requireNonNull(dataset);
    }

    @Override
    public synchronized Stored store(IngestOutcome.Accepted a) throws IOException {
        String sopKey = keys.sopKey(a.uids().originalSopInstanceUid());
        String digest = a.provenance().sha256();
        StoredObject existing = originalBySopKey(sopKey);
        if (existing != null) {
            if (!existing.digest().equals(digest)) {
                return Stored.DUPLICATE_DIFFERENT;
            }
            String derivative = derivativeOf(existing.id());
            boolean made = derivative == null;
            if (made) { // a crash came between the two puts: finish the pair now
                derivative = store.put(StoredObjectKind.DERIVATIVE, a.derivative(), derivativeMeta(a, existing.id())).id();
                LOG.info("object {}: derivative {} made on re-delivery (it was missing)", existing.id(), derivative);
            }
            recent.put(digest, new Ids(existing.id(), derivative, made));
            return Stored.DUPLICATE_SAME;
        }
        String accessionKey = keys.accessionKey(accessionNumber(a.original()));
        // one write for both: one keys.db commit, one index transaction (either both are indexed or neither)
        ObjectStore.Pair pair = store.putPair(a.original(), meta(a)
                .withClassification(a.classification().category().name(), a.originalGrade().level().level())
                .withLookupKeys(sopKey, accessionKey), a.derivative(), derivativeMeta(a, null));
        recent.put(digest, new Ids(pair.original().id(), pair.derivative().id(), true));
        return Stored.STORED;
    }

    @Override
    public void refused(IngestOutcome.Refused r) {
        // reason is PHI-free by the pipeline's contract; the digest names the bytes, not the patient
        store.index().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO refusals(time, channel, reason, digest) VALUES (?,?,?,?)")) {
                ps.setString(1, Instant.now().toString());
                ps.setString(2, r.provenance().source().channel().name().toLowerCase(java.util.Locale.ROOT));
                ps.setString(3, r.kind().name() + ": " + r.reason());
                ps.setString(4, r.provenance().sha256());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The ids stored for the object with this content digest, once (for the audit record). */
    Ids takeIds(String digest) {
        return recent.remove(digest);
    }

    /** The active or archived original with this SOP key, or null. */
    public StoredObject originalBySopKey(String sopKey) {
        String id = store.index().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM objects WHERE kind = 'original'"
                    + " AND sop_key = ? AND state <> 'destroyed' ORDER BY rowid LIMIT 1")) {
                ps.setString(1, sopKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        return id == null ? null : store.find(id).orElse(null);
    }

    private String derivativeOf(String originalId) {
        return store.index().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM objects WHERE kind = 'derivative'"
                    + " AND parent_id = ? AND state <> 'destroyed' ORDER BY rowid LIMIT 1")) {
                ps.setString(1, originalId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    private ObjectMeta meta(IngestOutcome.Accepted a) {
        var p = a.provenance();
        return ObjectMeta.of(dataset).withDicom(p.sopClassUid(), p.modality(), a.bodyPart())
                .withPatientKey(a.patientKey()).withProvenance(provenance(p.source()));
    }

    private ObjectMeta derivativeMeta(IngestOutcome.Accepted a, String parent) {
        return meta(a).withParent(parent)
                .withClassification(a.classification().category().name(), a.derivativeGrade().level().level());
    }

    /** Provenance without PHI: AE@host for the SCP, a keyed hash of the inbox path (file names can name patients). */
    private Provenance provenance(Source s) {
        return switch (s.channel()) {
            case SCP -> new Provenance(Provenance.Channel.SCP,
                    "scp:" + s.callingAe() + "@" + s.remoteHost(), s.receivedAt());
            case INBOX -> new Provenance(Provenance.Channel.INBOX,
                    "inbox:" + keys.inboxPathKey(s.inboxPath()), s.receivedAt());
        };
    }

    private static String accessionNumber(byte[] original) throws IOException {
        return new DicomReader(DicomReader.Options.HEADERS).read(original).dataSet().getString(ACCESSION_NUMBER);
    }
}
