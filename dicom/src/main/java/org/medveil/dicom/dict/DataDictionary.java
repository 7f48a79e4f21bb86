package org.medveil.dicom.dict;

import org.medveil.dicom.Tag;
import org.medveil.dicom.VR;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The PS3.6 data dictionary, loaded from the generated resource {@code dictionary.tsv}
 * (see dicom/scripts/gen_dictionary.py). Immutable once loaded; share one instance.
 */
public final class DataDictionary {
    private static final String RESOURCE = "dictionary.tsv";
    private final Map<Integer, DictEntry> exact;
    private final List<DictEntry> masked;
    private final Map<String, DictEntry> byKeyword;

    private DataDictionary(Map<Integer, DictEntry> exact, List<DictEntry> masked, Map<String, DictEntry> byKeyword) {
        this.exact = exact;
        this.masked = masked;
        this.byKeyword = byKeyword;
    }

    private static final class Holder {
        static final DataDictionary STANDARD = load();
    }

    /** The standard dictionary (immutable, loaded once on first use). */
    public static DataDictionary standard() { return Holder.STANDARD; }

    private static DataDictionary load() {
        Map<Integer, DictEntry> exact = new HashMap<>(8192);
        List<DictEntry> masked = new ArrayList<>();
        Map<String, DictEntry> byKeyword = new HashMap<>(8192);
        try (InputStream in = DataDictionary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("dictionary resource " + RESOURCE
                        + " missing from the dicom jar; rebuild with dicom/scripts/gen_dictionary.py");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                String hex = f[0];
                // tag with x digits as 0, mask with 0 where the x digits are (no regex: this runs
                // for every entry at every start of the command)
                int tag = 0;
                int mask = 0;
                for (int i = 0; i < hex.length(); i++) {
                    char c = hex.charAt(i);
                    tag = (tag << 4) | (c == 'x' ? 0 : Character.digit(c, 16));
                    mask = (mask << 4) | (c == 'x' ? 0 : 0xF);
                }
                List<VR> vrs = new ArrayList<>();
                if (!f[1].equals("--")) {
                    for (String v : f[1].split("\\|")) {
                        vrs.add(VR.valueOf(v));
                    }
                }
                DictEntry e = new DictEntry(tag, mask, List.copyOf(vrs), f[2], f[3], f.length > 4 && f[4].equals("R"));
                if (mask == -1) {
                    exact.put(tag, e);
                } else {
                    masked.add(e);
                }
                if (!e.keyword().equals("-")) {
                    byKeyword.putIfAbsent(e.keyword(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dictionary resource " + RESOURCE, e);
        }
        // the maps stay private and are never changed after this: no immutable copies to build at start-up
        return new DataDictionary(exact, List.copyOf(masked), byKeyword);
    }

    /** The entry for a tag (repeating groups included), or null if the tag is not in PS3.6. */
    public DictEntry lookup(int tag) {
        DictEntry e = exact.get(tag);
        if (e != null) {
            return e;
        }
        for (DictEntry m : masked) {
            if ((tag & m.mask()) == m.tag()) {
                return m;
            }
        }
        return null;
    }

    /** VR used in implicit VR data: dictionary VR, LO for private creators, UL for group lengths, else UN. */
    public VR vrOf(int tag) {
        if (Tag.isGroupLength(tag)) {
            return VR.UL;
        }
        if (Tag.isPrivateCreator(tag)) {
            return VR.LO;
        }
        if (Tag.isPrivate(tag)) {
            return VR.UN;
        }
        DictEntry e = lookup(tag);
        return e == null ? VR.UN : e.vr();
    }

    /** Keyword of a tag, "PrivateCreator"/"GroupLength"/"Unknown" where PS3.6 has none. */
    public String keywordOf(int tag) {
        if (Tag.isPrivateCreator(tag)) {
            return "PrivateCreator";
        }
        if (Tag.isGroupLength(tag) && Tag.group(tag) != 0x0002) {
            return "GenericGroupLength";
        }
        DictEntry e = Tag.isPrivate(tag) ? null : lookup(tag);
        return e == null || e.keyword().equals("-") ? "Unknown Tag & Data" : e.keyword();
    }

    /** Entry by keyword, or null. */
    public DictEntry byKeyword(String keyword) { return byKeyword.get(keyword); }

    /** Number of entries (exact plus repeating-group patterns). */
    public int size() { return exact.size() + masked.size(); }
}
