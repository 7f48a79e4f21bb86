package org.medveil.dicom.deid;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.Tag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The "C" (clean) action on free text: every occurrence of the object's own identifiers (name
 * parts, IDs, birth date, accession number, address, phone) is replaced by '*'. It cannot find
 * identifiers it was not told about, which is why cleaning is an option the site chooses.
 */
final class TextCleaner {
    private static final int[] IDENTIFYING = {
            Tag.PatientName, Tag.PatientID, 0x00101000 /* Other Patient IDs */, 0x00101001 /* Other Patient Names */,
            0x00100030 /* Birth Date */, 0x00080050 /* Accession Number */, 0x00101040 /* Address */,
            0x00102154 /* Telephone Numbers */, 0x00101060 /* Mother's Birth Name */, 0x00081060 /* Reading Physician */,
            0x00080090 /* Referring Physician */, 0x00081050 /* Performing Physician */, 0x00081070 /* Operators */};

    private static final Pattern WORD_SEPARATORS = Pattern.compile("[\\^=\\s,]+");
    private static final Pattern GROUP_SEPARATOR = Pattern.compile("=");

    private final DataSet original;
    private List<String> needles; // built on the first clean(): most profiles never clean text

    private TextCleaner(DataSet original) { this.original = original; }

    /** A cleaner for the identifiers of {@code original}, which must not change while the cleaner is used. */
    static TextCleaner of(DataSet original) { return new TextCleaner(original); }

    private static List<String> needles(DataSet original) {
        Set<String> words = new LinkedHashSet<>();
        for (int tag : IDENTIFYING) {
            for (String v : DataSets.strings(original, tag)) {
                String s = v.strip();
                if (s.length() >= 2) {
                    words.add(s.toLowerCase(Locale.ROOT));
                }
                for (String group : GROUP_SEPARATOR.split(s)) {
                    // "王^小东" is also written "王小东" in free text; single CJK characters are too common to scrub alone
                    String joined = group.replace("^", "").strip();
                    if (joined.length() >= 2) {
                        words.add(joined.toLowerCase(Locale.ROOT));
                    }
                }
                for (String part : WORD_SEPARATORS.split(s)) {
                    if (part.length() >= 2) {
                        words.add(part.toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        List<String> n = new ArrayList<>(words);
        n.sort(Comparator.comparingInt(String::length).reversed());
        return List.copyOf(n);
    }

    String clean(String text) {
        if (needles == null) {
            needles = needles(original);
        }
        String out = text;
        for (String n : needles) {
            out = replaceIgnoreCase(out, n);
        }
        return out;
    }

    private static String replaceIgnoreCase(String text, String needle) {
        String lower = text.toLowerCase(Locale.ROOT);
        int i = lower.indexOf(needle);
        if (i < 0 || lower.length() != text.length()) {
            return i < 0 ? text : text.replace(needle, "*");
        }
        StringBuilder sb = new StringBuilder(text.length());
        int from = 0;
        while (i >= 0) {
            sb.append(text, from, i).append('*');
            from = i + needle.length();
            i = lower.indexOf(needle, from);
        }
        return sb.append(text, from, text.length()).toString();
    }
}
