package org.medveil.site.store;

import org.medveil.governance.consent.ConsentRecord;
import org.medveil.governance.consent.PatientPseudonym;
import org.medveil.governance.consent.Purpose;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The consent registry in the index's {@code consents} table (REQ-ACQ-3): one row per patient ×
 * purpose, so a withdrawal for one purpose leaves the others in force. Columns: {@code
 * patient_key} (the keyed pseudonym, never the ID), {@code purposes} (one purpose id),
 * {@code joint_modeling} (0/1), {@code valid_from} and {@code expires} (ISO dates, expires may be
 * null), {@code withdrawn_at} (ISO instant or null). Ingest and job selection read it through
 * {@link #find}.
 */
public final class ConsentRegistry {

    /** One row: a patient's consent for one purpose. */
    public record Entry(PatientPseudonym patient, Purpose purpose, boolean jointModeling, LocalDate validFrom,
                        LocalDate expires, Instant withdrawnAt) {
        /** As a {@link ConsentRecord} for {@code ConsentRules.permits}. */
        public ConsentRecord record() {
            return new ConsentRecord(patient, EnumSet.of(purpose), jointModeling, validFrom, expires, withdrawnAt);
        }
    }

    /** Counts of one import. */
    public record ImportResult(int patients, int added, int updated, int withdrawn) {}

    private final SiteIndex index;

    public ConsentRegistry(SiteIndex index) {
        this.index = Objects.requireNonNull(index, "index");
    }

    /**
     * Adds or updates every patient × purpose of {@code records} in one transaction. An existing
     * withdrawal stays in force (a re-import never revives a withdrawn consent); purposes a patient
     * had before and the file no longer lists are left as they are.
     */
    public ImportResult importAll(List<ConsentRecord> records) {
        return index.transaction(c -> {
            int added = 0;
            int updated = 0;
            int withdrawn = 0;
            for (ConsentRecord r : records) {
                for (Purpose p : r.purposes()) {
                    Optional<Entry> old = find(c, r.patient(), p);
                    Instant w = r.withdrawnAt();
                    if (old.isPresent() && old.get().withdrawnAt() != null
                            && (w == null || old.get().withdrawnAt().isBefore(w))) {
                        w = old.get().withdrawnAt();
                    }
                    Entry e = new Entry(r.patient(), p, r.jointModeling(), r.validFrom(), r.expires(), w);
                    if (old.isPresent()) {
                        update(c, e);
                        updated++;
                    } else {
                        insert(c, e);
                        added++;
                    }
                    if (w != null) {
                        withdrawn++;
                    }
                }
            }
            return new ImportResult(records.size(), added, updated, withdrawn);
        });
    }

    /** Every row, ordered by pseudonym and purpose. */
    public List<Entry> list() {
        return index.read(c -> {
            List<Entry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM consents ORDER BY patient_key, purposes");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(entry(rs));
                }
            }
            return out;
        });
    }

    /** The patient's consent for {@code purpose}, if recorded. */
    public Optional<Entry> find(PatientPseudonym patient, Purpose purpose) {
        return index.read(c -> find(c, patient, purpose));
    }

    /**
     * Marks the patient's consent for {@code purpose} withdrawn at {@code at} (an earlier
     * withdrawal stays). Empty when no consent for that purpose is recorded.
     */
    public Optional<Entry> withdraw(PatientPseudonym patient, Purpose purpose, Instant at) {
        return index.transaction(c -> {
            Optional<Entry> old = find(c, patient, purpose);
            if (old.isEmpty()) {
                return Optional.empty();
            }
            Entry o = old.get();
            Instant w = o.withdrawnAt() != null && o.withdrawnAt().isBefore(at) ? o.withdrawnAt() : at;
            Entry e = new Entry(patient, purpose, o.jointModeling(), o.validFrom(), o.expires(), w);
            update(c, e);
            return Optional.of(e);
        });
    }

    private static Optional<Entry> find(Connection c, PatientPseudonym patient, Purpose purpose) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT * FROM consents WHERE patient_key = ? AND purposes = ? ORDER BY id LIMIT 1")) {
            ps.setString(1, patient.hex());
            ps.setString(2, purpose.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
            }
        }
    }

    private static void insert(Connection c, Entry e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO consents(joint_modeling, valid_from, expires,"
                + " withdrawn_at, patient_key, purposes) VALUES (?,?,?,?,?,?)")) {
            bind(ps, e);
            ps.executeUpdate();
        }
    }

    private static void update(Connection c, Entry e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE consents SET joint_modeling = ?, valid_from = ?,"
                + " expires = ?, withdrawn_at = ? WHERE patient_key = ? AND purposes = ?")) {
            bind(ps, e);
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Entry e) throws SQLException {
        ps.setInt(1, e.jointModeling() ? 1 : 0);
        ps.setString(2, e.validFrom().toString());
        ps.setString(3, e.expires() == null ? null : e.expires().toString());
        ps.setString(4, e.withdrawnAt() == null ? null : e.withdrawnAt().toString());
        ps.setString(5, e.patient().hex());
        ps.setString(6, e.purpose().id());
    }

    private static Entry entry(ResultSet rs) throws SQLException {
        String exp = rs.getString("expires");
        String w = rs.getString("withdrawn_at");
        Purpose p = Purpose.fromIdOrNull(rs.getString("purposes"));
        if (p == null) {
            throw new SQLException("consents row " + rs.getLong("id") + " names an unknown purpose; the index was"
                    + " written by other software or edited");
        }
        return new Entry(new PatientPseudonym(rs.getString("patient_key")), p, rs.getInt("joint_modeling") != 0,
                LocalDate.parse(rs.getString("valid_from")), exp == null ? null : LocalDate.parse(exp),
                w == null ? null : Instant.parse(w));
    }
}
