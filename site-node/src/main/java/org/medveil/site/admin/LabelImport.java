package org.medveil.site.admin;

import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.SiteIndex;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Imports training labels (issue 12, "Labels for training"): a CSV whose header is
 * {@code sop_instance_uid,label} or {@code accession_number,label}. Each key is turned into its
 * keyed hash ({@link LookupKeys}) and matched against the originals' {@code sop_key} /
 * {@code accession_key}; the label goes on every matching original and on each derivative made
 * from it, so a job selects labelled derivatives without anyone handling a UID. All rows in one
 * transaction. Errors name the line and column, never a cell (a key is an identifier).
 */
public final class LabelImport {

    /** Counts only: matched/unmatched rows, objects that got a label. */
    public record Result(int rows, int matched, int unmatched, int labelledObjects) {}

    /** A label is a class name, not free text: it must not be able to carry patient data. */
    static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.:+-]{0,63}");

    private final SiteIndex index;
    private final LookupKeys keys;

    public LabelImport(SiteIndex index, LookupKeys keys) {
        this.index = index;
        this.keys = keys;
    }

    public Result importCsv(byte[] csv, String name) {
        List<Row> rows = parse(csv, name);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(name + ":1: the file is empty; the first line must be"
                    + " 'sop_instance_uid,label' or 'accession_number,label'");
        }
        List<String> header = rows.get(0).fields();
        String first = header.isEmpty() ? "" : header.get(0).strip().replace("\uFEFF", "");
        String column;
        if (header.size() == 2 && "label".equals(header.get(1).strip())
                && ("sop_instance_uid".equals(first) || "accession_number".equals(first))) {
            column = "sop_instance_uid".equals(first) ? "sop_key" : "accession_key";
        } else {
            throw new IllegalArgumentException(name + ":1: the header must be 'sop_instance_uid,label' or"
                    + " 'accession_number,label'");
        }
        List<String[]> pairs = new ArrayList<>(); // (keyed hash, label)
        for (int i = 1; i < rows.size(); i++) {
            List<String> r = rows.get(i).fields();
            int line = rows.get(i).line();
            if (r.size() != 2) {
                throw new IllegalArgumentException(name + ":" + line + ": has " + r.size() + " fields, expected 2"
                        + " (cell values are not shown: they may identify a patient)");
            }
            String key = r.get(0).strip();
            if (key.isEmpty()) {
                throw new IllegalArgumentException(name + ":" + line + ": " + first + " is empty");
            }
            String label = r.get(1).strip();
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException(name + ":" + line + ": label must be 1-64 letters, digits, spaces"
                        + " or _.:+- starting with a letter or digit (a class name, never free text)");
            }
            pairs.add(new String[] {"sop_key".equals(column) ? keys.sopKey(key) : keys.accessionKey(key), label});
        }
        return index.transaction(c -> {
            int matched = 0;
            Set<String> labelled = new LinkedHashSet<>();
            for (String[] p : pairs) {
                List<String> originals = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM objects WHERE " + column
                        + " = ? AND kind = 'original' AND state <> 'destroyed'")) {
                    ps.setString(1, p[0]);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            originals.add(rs.getString(1));
                        }
                    }
                }
                if (originals.isEmpty()) {
                    continue;
                }
                matched++;
                List<String> targets = new ArrayList<>(originals);
                for (String o : originals) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT id FROM objects WHERE parent_id = ? AND state <> 'destroyed'")) {
                        ps.setString(1, o);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                targets.add(rs.getString(1));
                            }
                        }
                    }
                }
                for (String id : targets) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT OR IGNORE INTO labels(object_id, label) VALUES (?, ?)")) {
                        ps.setString(1, id);
                        ps.setString(2, p[1]);
                        ps.executeUpdate();
                    }
                    labelled.add(id);
                }
            }
            return new Result(pairs.size(), matched, pairs.size() - matched, labelled.size());
        });
    }

    /** One CSV record and the line it starts on. */
    record Row(int line, List<String> fields) {}

    /** RFC 4180 rows (quotes, "" inside quotes, CRLF or LF); empty lines skipped. */
    static List<Row> parse(byte[] bytes, String name) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(name + ": not valid UTF-8; save the file as UTF-8 CSV");
        }
        List<Row> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        int start = 1;
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    if (ch == '\n') {
                        line++;
                    }
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                any = true;
            } else if (ch == ',') {
                row.add(cell.toString());
                cell.setLength(0);
                any = true;
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || cell.length() > 0) {
                    row.add(cell.toString());
                    rows.add(new Row(start, row));
                }
                row = new ArrayList<>();
                cell.setLength(0);
                any = false;
                line++;
                start = line;
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(name + ":" + line + ": a quoted field is not closed");
        }
        if (any || cell.length() > 0) {
            row.add(cell.toString());
            rows.add(new Row(start, row));
        }
        return rows;
    }
}
