package org.medveil.site.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.io.DicomReader;
import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.consent.PatientPseudonymizer;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.governance.grade.Grader;
import org.medveil.governance.grade.SpecialDiseaseList;
import org.medveil.site.config.IngestProfile;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.config.SiteConfigTemplate;
import org.medveil.site.ingest.IngestOutcome;
import org.medveil.site.ingest.IngestPipeline;
import org.medveil.site.ingest.IngestRecorder;
import org.medveil.site.ingest.IngestSink;
import org.medveil.site.ingest.Source;
import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.ObjectFilter;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteKeystore;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;
import org.medveil.testsupport.External;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real sink over the encrypted store, the lookup keys and the consent lookup, with the real pipeline. */
class StoreSinkTest {

    @TempDir
    Path dir;
    private SiteKeystore ks;
    private ObjectStore store;
    private LookupKeys keys;
    private StoreSink sink;
    private IngestPipeline pipeline;
    private final List<String> recorded = new ArrayList<>();
    private byte[] ct;

    @BeforeEach
    void open() throws Exception {
        ks = SiteKeystore.create(dir.resolve("keys/site.p12"), "pw-for-test".toCharArray(), CipherSuite.AES_256_GCM);
        store = ObjectStore.open(dir.resolve("data"), ks);
        keys = new LookupKeys(ks.pseudonymKey());
        sink = new StoreSink(store, keys, "default");
        SiteConfig c = SiteConfig.load(SiteConfigTemplate.write(dir.resolve("site"), "TEST", 11112));
        pipeline = new IngestPipeline(IngestProfile.ANY, c.deidProfile(), c.deidDecision(), new ProjectKey(new byte[32]),
                new Grader(SpecialDiseaseList.defaults()), keys::patient,
                new IndexConsentLookup(new org.medveil.site.store.ConsentRegistry(store.index()), new ConsentRules(ZoneOffset.UTC)), sink, new IngestRecorder() {
                    @Override
                    public void ingested(IngestOutcome.Accepted a, IngestSink.Stored stored) {
                        recorded.add(stored.name());
                    }

                    @Override
                    public void refused(IngestOutcome.Refused r) {
                        recorded.add(r.kind().name());
                    }
                });
        ct = Files.readAllBytes(External.pydicomTestFile("CT_small.dcm"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private IngestOutcome ingest(byte[] b) throws Exception {
        return pipeline.ingest(b, Source.scp("CT01", "127.0.0.1", Instant.now()));
    }

    private List<StoredObject> all(StoredObjectKind kind) {
        return store.list(new ObjectFilter(kind, null, null, null));
    }

    @Test
    @Tag("REQ-ACQ-6")
    void originalAndDerivativeStoredWithKeyedLookups() throws Exception {
        assertInstanceOf(IngestOutcome.Accepted.class, ingest(ct));
        var h = new DicomReader().read(ct).dataSet();
        StoredObject original = sink.originalBySopKey(keys.sopKey(h.getString(0x00080018)));
        assertNotNull(original);
        assertEquals(StoredObjectKind.ORIGINAL, original.kind());
        // the same pseudonym a consent import computes with governance's pseudonymizer
        assertEquals(new PatientPseudonymizer(ks.pseudonymKey()).pseudonym(h.getString(0x00100020)).hex(),
                original.meta().patientKey());
        assertEquals(keys.accessionKey(h.getString(0x00080050)), column(original.id(), "accession_key"));
        List<StoredObject> d = all(StoredObjectKind.DERIVATIVE);
        assertEquals(1, d.size());
        assertEquals(original.id(), d.get(0).meta().parentId());
        assertTrue(d.get(0).meta().grade() < original.meta().grade(), "derivative graded lower than the original");
        assertFalse(keys.sopKey("1.2.3").equals(keys.accessionKey("1.2.3")), "domains keep kinds of value apart");
    }

    @Test
    void sameObjectTwiceIsStoredOnce() throws Exception {
        ingest(ct);
        ingest(ct);
        assertEquals(List.of("STORED", "DUPLICATE_SAME"), recorded);
        assertEquals(1, all(StoredObjectKind.ORIGINAL).size());
        assertEquals(1, all(StoredObjectKind.DERIVATIVE).size());
    }

    @Test
    void sameSopDifferentContentIsRefusedAndNothingChanges() throws Exception {
        ingest(ct);
        byte[] changed = ct.clone();
        changed[changed.length - 1] ^= 0x01; // a pixel byte
        IngestOutcome o = ingest(changed);
        assertInstanceOf(IngestOutcome.Refused.class, o);
        assertEquals(IngestOutcome.Kind.DUPLICATE_DIFFERENT, ((IngestOutcome.Refused) o).kind());
        assertEquals(1, all(StoredObjectKind.ORIGINAL).size());
        String reason = store.index().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT reason FROM refusals"); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
        assertTrue(reason.startsWith("DUPLICATE_DIFFERENT"), reason);
    }

    @Test
    void aMissingDerivativeIsMadeOnRedelivery() throws Exception {
        ingest(ct);
        String derivative = all(StoredObjectKind.DERIVATIVE).get(0).id();
        store.destroy(derivative); // as if a crash had come between the two puts
        ingest(ct);
        List<StoredObject> live = store.list(new ObjectFilter(StoredObjectKind.DERIVATIVE, null,
                StoredObject.State.ACTIVE, null));
        assertEquals(1, live.size());
        assertFalse(live.get(0).id().equals(derivative));
    }

    @Test
    void lookupKeysAreIndexedWithTheOriginalInOneTransaction() throws Exception {
        ingest(ct);
        StoredObject original = all(StoredObjectKind.ORIGINAL).get(0);
        assertEquals(column(original.id(), "sop_key"), original.meta().sopKey(), "read back from the same row");
        assertNotNull(original.meta().sopKey());
        assertNull(all(StoredObjectKind.DERIVATIVE).get(0).meta().sopKey(), "derivatives are not found by the original's UID");
    }

    @Test
    @Tag("REQ-ACQ-3")
    void consentLookupFollowsTheRules() {
        IndexConsentLookup lookup = new IndexConsentLookup(new org.medveil.site.store.ConsentRegistry(store.index()),
                new ConsentRules(ZoneOffset.UTC));
        consent(P1, "research,teaching", "2020-01-01", null, null);
        consent(P2, "research", "2020-01-01", "2021-01-01", null);                 // expired
        consent(P3, "research", "2020-01-01", null, "2022-06-01T00:00:00Z");       // withdrawn
        Instant now = Instant.parse("2023-01-01T00:00:00Z");
        assertEquals(Set.of("research", "teaching"), lookup.validPurposes(P1, now));
        assertEquals(Set.of(), lookup.validPurposes(P2, now));
        assertEquals(Set.of(), lookup.validPurposes(P3, now));
        assertEquals(Set.of("research"), lookup.validPurposes(P3, Instant.parse("2022-01-01T00:00:00Z")));
        assertEquals(Set.of(), lookup.validPurposes("ab".repeat(32), now), "no consent recorded");
    }

    private static final String P1 = "a".repeat(64), P2 = "b".repeat(64), P3 = "c".repeat(64);

    /** Rows as the consent registry writes them: one per patient and purpose. */
    private void consent(String key, String purposes, String from, String expires, String withdrawn) {
        for (String purpose : purposes.split(",")) {
            store.index().transaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO consents(patient_key, purposes, joint_modeling,"
                        + " valid_from, expires, withdrawn_at) VALUES (?,?,1,?,?,?)")) {
                    ps.setString(1, key);
                    ps.setString(2, purpose);
                    ps.setString(3, from);
                    ps.setString(4, expires);
                    ps.setString(5, withdrawn);
                    ps.executeUpdate();
                }
                return null;
            });
        }
    }

    private String column(String id, String column) {
        return store.index().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM objects WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
    }
}
