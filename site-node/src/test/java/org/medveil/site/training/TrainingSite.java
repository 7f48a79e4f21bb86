package org.medveil.site.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.consent.ConsentRecord;
import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.consent.PatientPseudonym;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.governance.grade.Grader;
import org.medveil.governance.grade.SpecialDiseaseList;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.models.synth.SiteProfile;
import org.medveil.models.synth.SyntheticGenerator;
import org.medveil.models.synth.SyntheticImage;
import org.medveil.site.admin.LabelImport;
import org.medveil.site.config.IngestProfile;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.config.SiteConfigTemplate;
import org.medveil.site.ingest.IngestOutcome;
import org.medveil.site.ingest.IngestPipeline;
import org.medveil.site.ingest.Source;
import org.medveil.site.node.AuditRecorder;
import org.medveil.site.node.IndexConsentLookup;
import org.medveil.site.node.StoreSink;
import org.medveil.site.store.ConsentRegistry;
import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.SiteKeystore;

/**
 * A real site for training tests: a provisioned site kit, keystore, encrypted store and audit log
 * in a temporary folder; synthetic CT slices (models' {@link SyntheticGenerator}) with a planted
 * patient ID and name, ingested through the real pipeline (profile from {@code site init}'s
 * template, real de-identification, grading, {@link StoreSink}, {@link AuditRecorder}); consents
 * imported into the {@link ConsentRegistry} and labels through {@link LabelImport}, as the admin
 * API does. Each patient has one slice and a role that decides what is done to it.
 */
final class TrainingSite implements AutoCloseable {

    /** What the fixture does to a patient's data after ingest. */
    enum Role {
        /** consented for research with joint modeling, labelled: selectable */
        OK,
        NO_CONSENT, OTHER_PURPOSE, NO_JOINT_MODELING, EXPIRED, WITHDRAWN, UNLABELLED, DESTROYED, ARCHIVED,
        /** the derivative's grade set to 4 in the index (a profile that left an identifier) */
        GRADE_4,
        /** the original's grade set to 1 in the index, so only the kind keeps it out */
        ORIGINAL_GRADE_1
    }

    static final String MARKER_ID = "MVCANARYPID";
    static final String MARKER_NAME = "MVCANARYNAME";

    final Path root;
    final SiteKeystore keystore;
    final ObjectStore store;
    final LookupKeys keys;
    final AuditLog audit;
    final SiteConfig config;
    final Clock clock = Clock.systemUTC();
    final ConsentRules rules = new ConsentRules(ZoneOffset.UTC);
    /** patient index → role, and the ids of its stored original and derivative */
    final Map<Integer, Role> roles = new LinkedHashMap<>();
    final Map<Integer, String> originals = new LinkedHashMap<>();
    final Map<Integer, String> derivatives = new LinkedHashMap<>();
    /** slices the pipeline refused while building the fixture */
    int refused;

    TrainingSite(Path root, int okPatients) throws IOException {
        this.root = root;
        Provisioner.init(new ProjectSpec("demo", "localhost:8443", null, null, List.of("hospital-a"), List.of()),
                root.resolve("prov"), Clock.systemUTC());
        Kit site = Kit.load(root.resolve("prov/sites/hospital-a"));
        keystore = SiteKeystore.create(root.resolve("keys/site.p12"), "pw-for-test".toCharArray(),
                CipherSuite.AES_256_GCM);
        store = ObjectStore.open(root.resolve("data"), keystore);
        keys = new LookupKeys(keystore.pseudonymKey());
        audit = AuditLog.open(root.resolve("data/audit"), AuditSigner.of(site));
        config = SiteConfig.load(SiteConfigTemplate.write(root.resolve("site"), "TEST", 11112));
        StoreSink sink = new StoreSink(store, keys, "default");
        ConsentRegistry consents = new ConsentRegistry(store.index());
        IngestPipeline pipeline = new IngestPipeline(IngestProfile.ANY, config.deidProfile(), config.deidDecision(),
                new ProjectKey(new byte[32]), new Grader(SpecialDiseaseList.defaults()), keys::patient,
                new IndexConsentLookup(consents, rules), sink, new AuditRecorder(audit, sink));

        List<Role> plan = new ArrayList<>();
        for (int i = 0; i < okPatients; i++) {
            plan.add(Role.OK);
        }
        for (Role r : Role.values()) {
            if (r != Role.OK) {
                plan.add(r);
            }
        }
        SyntheticGenerator gen = new SyntheticGenerator(7);
        SiteProfile profile = SiteProfile.standard(0);
        StringBuilder labels = new StringBuilder("sop_instance_uid,label\n");
        List<ConsentRecord> records = new ArrayList<>();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        int next = 0;
        for (int p = 0; p < plan.size(); p++) {
            Role role = plan.get(p);
            roles.put(p, role);
            String patientId = MARKER_ID + p;
            SyntheticImage im;
            IngestOutcome out;
            do { // the profile may refuse a slice (e.g. burned-in text it cannot clean): take the next one
                im = gen.image(profile, 0, next++);
                DataSet ds = im.dataSet();
                ds.putString(Tag.PatientID, VR.LO, patientId);
                ds.putString(Tag.PatientName, VR.PN, MARKER_NAME + "^P" + p);
                out = pipeline.ingest(bytes(ds), Source.inbox("IMG" + p + ".dcm", Instant.now()));
                refused += out instanceof IngestOutcome.Accepted ? 0 : 1;
            } while (!(out instanceof IngestOutcome.Accepted) && next < 10 * plan.size());
            if (!(out instanceof IngestOutcome.Accepted)) {
                throw new IllegalStateException("fixture: too many synthetic slices refused by ingest: " + out);
            }
            String original = sink.originalBySopKey(keys.sopKey(im.sopInstanceUid())).id();
            originals.put(p, original);
            derivatives.put(p, derivativeOf(original));
            if (role != Role.UNLABELLED) {
                labels.append(im.sopInstanceUid()).append(',').append(im.label()).append('\n');
            }
            PatientPseudonym patient = new PatientPseudonym(keys.patient(patientId));
            switch (role) {
                case NO_CONSENT -> { }
                case OTHER_PURPOSE -> records.add(new ConsentRecord(patient, Set.of(Purpose.TEACHING), true,
                        today.minusDays(10), null, null));
                case NO_JOINT_MODELING -> records.add(new ConsentRecord(patient, Set.of(Purpose.RESEARCH), false,
                        today.minusDays(10), null, null));
                case EXPIRED -> records.add(new ConsentRecord(patient, Set.of(Purpose.RESEARCH), true,
                        today.minusDays(400), today.minusDays(1), null));
                case WITHDRAWN -> records.add(new ConsentRecord(patient, Set.of(Purpose.RESEARCH), true,
                        today.minusDays(10), null, Instant.now().minusSeconds(3600)));
                default -> records.add(new ConsentRecord(patient, Set.of(Purpose.RESEARCH), true,
                        today.minusDays(10), null, null));
            }
        }
        consents.importAll(records);
        new LabelImport(store.index(), keys).importCsv(labels.toString().getBytes(StandardCharsets.UTF_8),
                "labels.csv");
        for (Map.Entry<Integer, Role> e : roles.entrySet()) {
            String deriv = derivatives.get(e.getKey());
            switch (e.getValue()) {
                case DESTROYED -> store.destroy(deriv);
                case ARCHIVED -> store.markArchived(deriv);
                case GRADE_4 -> setGrade(deriv, 4);
                case ORIGINAL_GRADE_1 -> setGrade(originals.get(e.getKey()), 1);
                default -> { }
            }
        }
    }

    /** The patient of the given role (exactly one for every role but OK). */
    int patient(Role role) {
        return roles.entrySet().stream().filter(e -> e.getValue() == role).findFirst().orElseThrow().getKey();
    }

    List<String> derivativesOf(Role role) {
        return roles.entrySet().stream().filter(e -> e.getValue() == role).map(e -> derivatives.get(e.getKey()))
                .toList();
    }

    /** The derivatives every selection for research up to grade 3 must find: OK and ORIGINAL_GRADE_1 patients'. */
    Set<String> selectable() {
        Set<String> out = new java.util.TreeSet<>(derivativesOf(Role.OK));
        out.addAll(derivativesOf(Role.ORIGINAL_GRADE_1));
        return out;
    }

    StoreLocalTraining training() {
        return new StoreLocalTraining(store, audit, StoreLocalTraining.profileDigest(config.deidProfile().source()),
                rules, clock, config.modelsDir());
    }

    /** Concatenated bytes of every file of the audit folder. */
    byte[] auditBytes() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Stream<Path> s = Files.walk(root.resolve("data/audit"))) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                all.write(Files.readAllBytes(p));
                all.write('\n');
            }
        }
        return all.toByteArray();
    }

    private void setGrade(String id, int grade) {
        store.index().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE objects SET grade = ? WHERE id = ?")) {
                ps.setInt(1, grade);
                ps.setString(2, id);
                return ps.executeUpdate();
            }
        });
    }

    private String derivativeOf(String original) {
        return store.index().read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM objects WHERE kind = 'derivative' AND parent_id = ?")) {
                ps.setString(1, original);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("original " + original + " has no derivative");
                    }
                    return rs.getString(1);
                }
            }
        });
    }

    private static byte[] bytes(DataSet ds) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DicomWriter().writeFile(new DicomFile(new DataSet(), ds, TransferSyntax.EXPLICIT_LE, 0), out,
                TransferSyntax.EXPLICIT_LE);
        return out.toByteArray();
    }

    @Override
    public void close() {
        audit.close();
        store.close();
    }
}
