package org.medveil.site.training;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.pixel.PixelDecoder;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.consent.PatientPseudonym;
import org.medveil.governance.job.DataSelection;
import org.medveil.models.data.DicomImageReader;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.data.Normalization;
import org.medveil.site.store.ConsentRegistry;
import org.medveil.site.store.ObjectStore;

/**
 * Which stored objects a job may train on, and their pixels in memory. Selectable means: a
 * de-identified <b>derivative</b> (never an original), <b>active</b> (not archived, not
 * destroyed), graded 1..{@code maxGrade} and never above {@link DataSelection#HIGHEST_SELECTABLE_GRADE}
 * (grade 4 and 5 never), matching the selection's modality, body part and category lists, whose
 * patient's consent for the purpose permits use <b>now, with joint modeling</b> (decided by
 * governance {@link ConsentRules}, as ingest does), and carrying exactly one label that is a class
 * index (a non-negative integer, as {@code medveil synth} writes). Everything is read from the
 * index in one SQL read; consent rules are applied in Java so there is one consent truth.
 *
 * <p>Loading decrypts each object through {@link ObjectStore#read} (tag and digest checked) and
 * decodes it in memory with the models module's reader; plaintext never touches the disk.
 */
public final class TrainingData {

    /**
     * One selectable derivative: ids and coded values only (the patient key stays inside this
     * class). {@code label} is the class index.
     */
    public record Selected(String objectId, String dataset, String category, int grade, int label) {}

    private final ObjectStore store;
    private final ConsentRules rules;
    private final Clock clock;

    public TrainingData(ObjectStore store, ConsentRules rules, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The selectable derivatives for {@code selection}, in object id order (deterministic). */
    public List<Selected> select(DataSelection selection) {
        Objects.requireNonNull(selection, "selection");
        int maxGrade = Math.min(selection.maxGrade(), DataSelection.HIGHEST_SELECTABLE_GRADE);
        Instant now = clock.instant();
        StringBuilder sql = new StringBuilder("SELECT o.id, o.dataset, o.category, o.grade, o.patient_key,"
                + " c.joint_modeling, c.valid_from, c.expires, c.withdrawn_at,"
                + " (SELECT GROUP_CONCAT(l.label, char(10)) FROM labels l WHERE l.object_id = o.id) AS labels"
                + " FROM objects o"
                // the patient's one consent row for the purpose (ConsentRegistry.find takes the lowest id)
                + " LEFT JOIN consents c ON c.id = (SELECT MIN(id) FROM consents"
                + "   WHERE patient_key = o.patient_key AND purposes = ?)"
                + " WHERE o.kind = 'derivative' AND o.state = 'active'"
                + " AND o.grade IS NOT NULL AND o.grade BETWEEN 1 AND ?"
                + " AND o.patient_key IS NOT NULL");
        List<Object> args = new ArrayList<>();
        args.add(selection.purpose().id());
        args.add(maxGrade);
        in(sql, args, "UPPER(o.modality)", upper(selection.modalities()));
        in(sql, args, "UPPER(o.body_part)", upper(selection.bodyParts()));
        in(sql, args, "o.category", selection.categories().stream().map(ImagingCategory::name).toList());
        sql.append(" ORDER BY o.id");
        return store.index().read(c -> {
            List<Selected> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Integer label = singleClassLabel(rs.getString("labels"));
                        if (label == null || !consented(rs, selection, now)) {
                            continue;
                        }
                        out.add(new Selected(rs.getString("id"), rs.getString("dataset"), rs.getString("category"),
                                rs.getInt("grade"), label));
                    }
                }
            }
            return out;
        });
    }

    /** Counts by (category, grade), sorted. */
    public static Map<String, Map<Integer, Long>> counts(Collection<Selected> selected) {
        Map<String, Map<Integer, Long>> out = new TreeMap<>();
        for (Selected s : selected) {
            out.computeIfAbsent(s.category(), k -> new TreeMap<>()).merge(s.grade(), 1L, Long::sum);
        }
        return out;
    }

    /**
     * The stored Merkle root of the datasets the selection draws from (stale roots recomputed
     * first, as verify and backups do). One dataset: its root in hex; several: {@code name=root}
     * pairs sorted by name and joined with {@code ,}; none: the empty string.
     */
    public String datasetRoot(Collection<Selected> selected) {
        Set<String> datasets = new TreeSet<>();
        selected.forEach(s -> datasets.add(s.dataset()));
        if (datasets.isEmpty()) {
            return "";
        }
        Map<String, String> roots = store.index().transaction(c -> {
            ObjectStore.refreshStaleRoots(c);
            return roots(c, datasets);
        });
        if (roots.size() == 1) {
            return roots.values().iterator().next();
        }
        StringBuilder b = new StringBuilder();
        roots.forEach((ds, root) -> b.append(b.length() == 0 ? "" : ",").append(ds).append('=').append(root));
        return b.toString();
    }

    /**
     * Decrypts and decodes {@code selected} at {@code size}×{@code size}, in memory. The image's
     * id for the hold-out split is the derivative's own (pseudonymous) SOP Instance UID, so the
     * split does not change when the store is rebuilt from the same sources.
     */
    public List<LabeledImage> load(List<Selected> selected, int size) {
        DicomImageReader reader = new DicomImageReader(Normalization.DEFAULT, size);
        DicomReader parser = new DicomReader();
        PixelDecoder decoder = new PixelDecoder();
        List<LabeledImage> images = new ArrayList<>(selected.size());
        for (Selected s : selected) {
            String where = "object " + s.objectId();
            byte[] plain = store.read(s.objectId()); // GCM tag and indexed digest checked
            DicomFile f;
            try {
                f = decoder.toNative(parser.read(plain));
            } catch (IOException e) { // DicomException is an IOException
                // the parser's message may quote header values: name the object only
                throw new IllegalStateException(where + " (a stored derivative) cannot be decoded for training ("
                        + e.getClass().getSimpleName() + "); run 'medveil site verify' and check the object's"
                        + " transfer syntax", e);
            }
            DicomImageReader.Decoded d = reader.decode(f.dataSet(), where);
            String uid = d.sopInstanceUid() == null ? s.objectId() : d.sopInstanceUid();
            images.add(new LabeledImage(uid, s.dataset(), size, d.pixels(), s.label()));
        }
        return images;
    }

    private boolean consented(ResultSet rs, DataSelection selection, Instant now) throws SQLException {
        String validFrom = rs.getString("valid_from");
        if (validFrom == null) {
            return false; // no consent row for the purpose
        }
        String expires = rs.getString("expires");
        String withdrawn = rs.getString("withdrawn_at");
        ConsentRegistry.Entry e = new ConsentRegistry.Entry(new PatientPseudonym(rs.getString("patient_key")),
                selection.purpose(), rs.getInt("joint_modeling") != 0, LocalDate.parse(validFrom),
                expires == null ? null : LocalDate.parse(expires), withdrawn == null ? null : Instant.parse(withdrawn));
        // joint modeling = true: a federated job shares what it learns from the data
        return rules.permits(e.record(), selection.purpose(), true, now).permitted();
    }

    /** The class index of an object with exactly one label that is a non-negative integer, else null. */
    static Integer singleClassLabel(String labels) {
        if (labels == null) {
            return null;
        }
        String[] all = labels.split("\n");
        if (all.length != 1 || !all[0].strip().matches("[0-9]{1,6}")) {
            return null; // unlabelled, ambiguous (several labels) or a class name that is not an index
        }
        return Integer.parseInt(all[0].strip());
    }

    private static Map<String, String> roots(Connection c, Set<String> datasets) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT root FROM dataset_roots WHERE dataset = ?")) {
            for (String ds : datasets) {
                ps.setString(1, ds);
                try (ResultSet rs = ps.executeQuery()) {
                    out.put(ds, rs.next() ? rs.getString(1) : "");
                }
            }
        }
        return out;
    }

    private static void in(StringBuilder sql, List<Object> args, String column, List<String> values) {
        if (values.isEmpty()) {
            return; // empty list = any
        }
        sql.append(" AND ").append(column).append(" IN (");
        for (int i = 0; i < values.size(); i++) {
            sql.append(i == 0 ? "?" : ",?");
            args.add(values.get(i));
        }
        sql.append(')');
    }

    private static List<String> upper(List<String> values) {
        return values.stream().map(v -> v.strip().toUpperCase(Locale.ROOT)).toList();
    }
}
