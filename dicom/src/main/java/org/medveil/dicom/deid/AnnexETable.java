package org.medveil.dicom.deid;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PS3.15 Table E.1-1 as generated into {@code annex-e.tsv} by {@code dicom/scripts/gen_annex_e.py}.
 * Immutable and thread-safe; {@link #standard()} is loaded once.
 */
public final class AnnexETable {
    private static final String RESOURCE = "annex-e.tsv";

    // exact rows in an open-addressing table keyed by the int tag: looked up for every element of
    // every object, so no boxing and no hashing of Integer keys
    private final int[] exactTags;
    private final AnnexEEntry[] exactRows;
    private final List<AnnexEEntry> masked;
    private final AnnexEEntry privateRow;
    private final List<AnnexEEntry> all;
    private final String edition;

    private AnnexETable(List<AnnexEEntry> entries, AnnexEEntry privateRow, String edition) {
        Map<Integer, AnnexEEntry> ex = new HashMap<>();
        List<AnnexEEntry> m = new ArrayList<>();
        for (AnnexEEntry e : entries) {
            if (e.mask() == 0xFFFFFFFF) {
                ex.put(e.tag(), e);
            } else {
                m.add(e);
            }
        }
        int cap = Integer.highestOneBit(Math.max(16, ex.size() * 4) - 1) << 1;
        this.exactTags = new int[cap];
        this.exactRows = new AnnexEEntry[cap];
        for (AnnexEEntry e : ex.values()) {
            int i = slot(e.tag(), cap);
            while (exactRows[i] != null) {
                i = (i + 1) & (cap - 1);
            }
            exactTags[i] = e.tag();
            exactRows[i] = e;
        }
        this.masked = List.copyOf(m);
        this.privateRow = privateRow;
        this.all = List.copyOf(entries);
        this.edition = edition;
    }

    private static final class Holder {
        static final AnnexETable STANDARD = load();
    }

    public static AnnexETable standard() { return Holder.STANDARD; }

    /** The row for a standard tag, or null when the table does not list it. */
    public AnnexEEntry lookup(int tag) {
        int mask = exactRows.length - 1;
        for (int i = slot(tag, exactRows.length); exactRows[i] != null; i = (i + 1) & mask) {
            if (exactTags[i] == tag) {
                return exactRows[i];
            }
        }
        for (AnnexEEntry m : masked) {
            if (m.matches(tag)) {
                return m;
            }
        }
        return null;
    }

    private static int slot(int tag, int capacity) {
        return (tag * 0x9E3779B9) >>> (32 - Integer.numberOfTrailingZeros(capacity));
    }

    /** The "(gggg,eeee) where gggg is odd" row. */
    public AnnexEEntry privateAttributes() { return privateRow; }

    /** Every row except the private one. */
    public List<AnnexEEntry> entries() { return Collections.unmodifiableList(all); }

    /** Edition line from the resource header. */
    public String edition() { return edition; }

    private static AnnexETable load() {
        try (InputStream in = AnnexETable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the dicom jar; rebuild it with "
                        + "dicom/scripts/gen_annex_e.py");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static AnnexETable parse(BufferedReader r) throws IOException {
        List<AnnexEEntry> entries = new ArrayList<>();
        AnnexEEntry priv = null;
        String edition = "unknown edition";
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.startsWith("#")) {
                if (n == 1) {
                    edition = line.substring(1).strip();
                }
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 5) {
                throw new IllegalStateException(RESOURCE + " line " + n + " has " + f.length + " fields, expected 5");
            }
            Map<ProfileOption, Action> opts = new EnumMap<>(ProfileOption.class);
            if (!f[3].equals("-")) {
                for (String kv : f[3].split(",")) {
                    String[] p = kv.split("=", 2);
                    opts.put(ProfileOption.fromColumn(p[0]), Action.parse(p[1]));
                }
            }
            boolean std = f[1].equals("Y");
            Action basic = Action.parse(f[2]);
            if (f[0].equals("private")) {
                priv = new AnnexEEntry(0, 0, std, basic, opts, f[4]);
                continue;
            }
            int tag = 0;
            int mask = 0;
            for (char c : f[0].toCharArray()) {
                tag <<= 4;
                mask <<= 4;
                if (c != 'x') {
                    tag |= Character.digit(c, 16);
                    mask |= 0xF;
                }
            }
            entries.add(new AnnexEEntry(tag, mask, std, basic, opts, f[4]));
        }
        if (priv == null) {
            throw new IllegalStateException(RESOURCE + " has no row for private attributes");
        }
        return new AnnexETable(entries, priv, edition);
    }
}
