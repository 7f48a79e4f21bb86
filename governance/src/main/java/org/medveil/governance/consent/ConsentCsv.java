package org.medveil.governance.consent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict importer of a consent registry export (REQ-ACQ-3). The first line names the columns, in
 * any order:
 * <pre>
 * patient_id,purposes,joint_modeling,valid_from,expires[,withdrawn_at]
 * </pre>
 * <ul>
 *   <li>{@code patient_id} — pseudonymised on the fly with the site key; never kept;</li>
 *   <li>{@code purposes} — one or more of {@link Purpose#allIds()}, separated by {@code ;};</li>
 *   <li>{@code joint_modeling} — {@code yes} or {@code no};</li>
 *   <li>{@code valid_from}, {@code expires} — ISO dates ({@code 2026-01-31}); {@code expires}
 *       may be empty for no end date and is the first day the consent no longer holds;</li>
 *   <li>{@code withdrawn_at} (optional column) — empty, an ISO date (start of that day in the
 *       site's zone) or an ISO instant ({@code 2026-03-01T09:30:00Z}).</li>
 * </ul>
 * Fields follow RFC 4180 (commas, double quotes, {@code ""} for a quote). The file is UTF-8 (a
 * byte order mark is allowed); empty lines are skipped. Unknown or repeated columns, a wrong field
 * count, an unknown purpose, a bad date or a patient listed twice stop the import with a
 * {@link ConsentImportException} naming the file, line and column — and no cell value, since
 * any cell might hold a patient ID.
 */
public final class ConsentCsv {

    static final String PATIENT_ID = "patient_id";
    static final String PURPOSES = "purposes";
    static final String JOINT_MODELING = "joint_modeling";
    static final String VALID_FROM = "valid_from";
    static final String EXPIRES = "expires";
    static final String WITHDRAWN_AT = "withdrawn_at";

    private static final List<String> REQUIRED = List.of(PATIENT_ID, PURPOSES, JOINT_MODELING, VALID_FROM, EXPIRES);
    private static final List<String> OPTIONAL = List.of(WITHDRAWN_AT);

    private final PatientPseudonymizer pseudonymizer;
    private final ZoneId zone;

    public ConsentCsv(PatientPseudonymizer pseudonymizer, ZoneId zone) {
        this.pseudonymizer = pseudonymizer;
        this.zone = zone;
    }

    /** Reads every consent in {@code file}; all or nothing. */
    public List<ConsentRecord> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new ConsentImportException(file + ": cannot read the consent file: " + e.getMessage(), e);
        }
    }

    /** Reads every consent from {@code in}; {@code name} is used in error messages. */
    public List<ConsentRecord> read(InputStream in, String name) throws IOException {
        Reader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
        CsvRows rows = new CsvRows(reader, name);
        try {
            CsvRows.Row header = rows.next();
            if (header == null) {
                throw new ConsentImportException(name + ":1: the file is empty; the first line must name the columns "
                        + String.join(",", REQUIRED));
            }
            Map<String, Integer> columns = columns(header, name);
            List<ConsentRecord> out = new ArrayList<>();
            Map<PatientPseudonym, Integer> seen = new HashMap<>();
            for (CsvRows.Row row = rows.next(); row != null; row = rows.next()) {
                if (row.fields().size() != columns.size()) {
                    throw error(name, row.line(), null, "has " + row.fields().size() + " fields, the header names "
                            + columns.size());
                }
                ConsentRecord record = record(row, columns, name);
                Integer earlier = seen.putIfAbsent(record.patient(), row.line());
                if (earlier != null) {
                    throw error(name, row.line(), PATIENT_ID, "the same patient is already listed on line " + earlier
                            + "; merge the two rows into one consent");
                }
                out.add(record);
            }
            return out;
        } catch (CharacterCodingException e) {
            throw new ConsentImportException(name + ": near line " + rows.line()
                    + ": not valid UTF-8; save the file as UTF-8 CSV");
        }
    }

    private static Map<String, Integer> columns(CsvRows.Row header, String name) {
        Map<String, Integer> columns = new LinkedHashMap<>();
        for (int i = 0; i < header.fields().size(); i++) {
            String c = header.fields().get(i).strip();
            if (i == 0 && c.startsWith("\uFEFF")) {
                c = c.substring(1);
            }
            if (!REQUIRED.contains(c) && !OPTIONAL.contains(c)) {
                // A header cell is a column name, not patient data; still, show it only if it looks like one.
                String shown = c.matches("[a-z_]{1,32}") ? "'" + c + "'" : "#" + (i + 1);
                throw error(name, header.line(), null, "unknown column " + shown + "; columns are "
                        + String.join(", ", REQUIRED) + " and optionally " + String.join(", ", OPTIONAL));
            }
            if (columns.putIfAbsent(c, i) != null) {
                throw error(name, header.line(), null, "column " + c + " appears twice");
            }
        }
        for (String c : REQUIRED) {
            if (!columns.containsKey(c)) {
                throw error(name, header.line(), null, "missing column " + c + "; the header must name "
                        + String.join(",", REQUIRED));
            }
        }
        return columns;
    }

    private ConsentRecord record(CsvRows.Row row, Map<String, Integer> columns, String name) {
        int line = row.line();
        String patientId = row.fields().get(columns.get(PATIENT_ID));
        if (patientId.strip().isEmpty()) {
            throw error(name, line, PATIENT_ID, "is empty");
        }
        PatientPseudonym patient = pseudonymizer.pseudonym(patientId);

        Set<Purpose> purposes = EnumSet.noneOf(Purpose.class);
        String[] parts = cell(row, columns, PURPOSES).split(";", -1);
        for (int i = 0; i < parts.length; i++) {
            Purpose p = Purpose.fromIdOrNull(parts[i].strip());
            if (p == null) {
                throw error(name, line, PURPOSES, (parts[i].isBlank() ? "purpose #" + (i + 1) + " is empty"
                        : "purpose #" + (i + 1) + " is not one of " + Purpose.allIds())
                        + "; separate purposes with ';'");
            }
            purposes.add(p);
        }

        boolean joint = switch (cell(row, columns, JOINT_MODELING)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw error(name, line, JOINT_MODELING, "must be yes or no");
        };
        LocalDate validFrom = date(cell(row, columns, VALID_FROM), name, line, VALID_FROM, false);
        LocalDate expires = date(cell(row, columns, EXPIRES), name, line, EXPIRES, true);
        if (expires != null && !expires.isAfter(validFrom)) {
            throw error(name, line, EXPIRES, "must be after valid_from (it is the first day the consent no longer holds)");
        }
        Instant withdrawn = columns.containsKey(WITHDRAWN_AT) ? withdrawn(cell(row, columns, WITHDRAWN_AT), name, line) : null;
        return new ConsentRecord(patient, purposes, joint, validFrom, expires, withdrawn);
    }

    private static String cell(CsvRows.Row row, Map<String, Integer> columns, String column) {
        return row.fields().get(columns.get(column)).strip();
    }

    private static LocalDate date(String v, String name, int line, String column, boolean optional) {
        if (v.isEmpty()) {
            if (optional) {
                return null;
            }
            throw error(name, line, column, "is empty; write an ISO date such as 2026-01-31");
        }
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw error(name, line, column, "is not an ISO date such as 2026-01-31");
        }
    }

    private Instant withdrawn(String v, String name, int line) {
        if (v.isEmpty()) {
            return null;
        }
        try {
            return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(zone).toInstant() : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw error(name, line, WITHDRAWN_AT, "is not an ISO date (2026-03-01) or instant (2026-03-01T09:30:00Z)");
        }
    }

    private static ConsentImportException error(String name, int line, String column, String what) {
        return new ConsentImportException(name + ":" + line + ": " + (column == null ? "line " : column + " ") + what
                + " (cell values are not shown: they may identify a patient)");
    }
}
