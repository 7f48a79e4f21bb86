package org.medveil.dicom.dict;

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

/** Well-known UIDs (transfer syntaxes, SOP classes) from the generated {@code uids.tsv}. */
public final class Uids {
    /** One UID row: kind is "ts" (transfer syntax), "sop" (SOP class) or "ctx". */
    public record Uid(String uid, String kind, String name) {}

    public static final String VERIFICATION = "1.2.840.10008.1.1";
    public static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";

    private final Map<String, Uid> byUid;

    private Uids(Map<String, Uid> byUid) { this.byUid = byUid; }

    private static final class Holder {
        static final Uids STANDARD = load();
    }

    public static Uids standard() { return Holder.STANDARD; }

    private static Uids load() {
        Map<String, Uid> m = new HashMap<>();
        try (InputStream in = Uids.class.getResourceAsStream("uids.tsv")) {
            if (in == null) {
                throw new IllegalStateException("uids.tsv missing from the dicom jar; rebuild with dicom/scripts/gen_dictionary.py");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    String[] f = line.split(" ", 3);
                    m.putIfAbsent(f[0], new Uid(f[0], f[1], f[2]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read uids.tsv", e);
        }
        return new Uids(Map.copyOf(m));
    }

    public Uid lookup(String uid) { return byUid.get(uid); }

    /** Name of a UID or null. */
    public String nameOf(String uid) {
        Uid u = byUid.get(uid);
        return u == null ? null : u.name();
    }

    /** All storage SOP classes (names ending in "Storage"), the ones a storage SCP accepts. */
    public List<String> storageSopClasses() {
        List<String> out = new ArrayList<>();
        for (Uid u : byUid.values()) {
            if (u.kind().equals("sop") && u.name().contains("Storage")) {
                out.add(u.uid());
            }
        }
        out.sort(null);
        return out;
    }
}
