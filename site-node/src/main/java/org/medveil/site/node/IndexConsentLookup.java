package org.medveil.site.node;

import org.medveil.governance.consent.ConsentRecord;
import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.consent.PatientPseudonym;
import org.medveil.governance.consent.Purpose;
import org.medveil.site.ingest.ConsentLookup;
import org.medveil.site.store.SiteIndex;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pipeline's {@link ConsentLookup} over the index's {@code consents} table, decided by
 * governance {@link ConsentRules} (REQ-ACQ-3): a purpose is valid when any of the patient's
 * rows permits it at that moment. Row format: {@code purposes} = purpose ids separated by commas
 * or spaces, {@code valid_from}/{@code expires} = ISO dates, {@code withdrawn_at} = ISO instant.
 * A row that cannot be read grants nothing (no consent means no use).
 */
public final class IndexConsentLookup implements ConsentLookup {

    private final SiteIndex index;
    private final ConsentRules rules;

    public IndexConsentLookup(SiteIndex index, ConsentRules rules) {
        this.index = Objects.requireNonNull(index);
        this.rules = Objects.requireNonNull(rules);
    }

    @Override
    public Set<String> validPurposes(String patientKey, Instant at) {
        Set<String> out = new TreeSet<>();
        for (ConsentRecord r : records(patientKey)) {
            for (Purpose p : r.purposes()) {
                if (rules.permits(r, p, false, at).permitted()) {
                    out.add(p.id());
                }
            }
        }
        return out;
    }

    private List<ConsentRecord> records(String patientKey) {
        return index.read(c -> {
            List<ConsentRecord> l = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT purposes, joint_modeling, valid_from, expires,"
                    + " withdrawn_at FROM consents WHERE patient_key = ?")) {
                ps.setString(1, patientKey);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ConsentRecord r = parse(patientKey, rs.getString(1), rs.getInt(2) != 0, rs.getString(3),
                                rs.getString(4), rs.getString(5));
                        if (r != null) {
                            l.add(r);
                        }
                    }
                }
            }
            return l;
        });
    }

    private static ConsentRecord parse(String key, String purposes, boolean joint, String from, String expires,
                                       String withdrawn) {
        try {
            EnumSet<Purpose> ps = EnumSet.noneOf(Purpose.class);
            for (String id : purposes.split("[,;\\s]+")) {
                Purpose p = Purpose.fromIdOrNull(id.strip());
                if (p != null) {
                    ps.add(p);
                }
            }
            if (ps.isEmpty()) {
                return null;
            }
            return new ConsentRecord(new PatientPseudonym(key), ps, joint, from == null ? LocalDate.MIN : LocalDate.parse(from),
                    expires == null ? null : LocalDate.parse(expires),
                    withdrawn == null ? null : Instant.parse(withdrawn));
        } catch (RuntimeException e) {
            return null; // unreadable row: grants nothing
        }
    }
}
