package org.medveil.dicom;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Decoding of raw value bytes into strings and numbers. */
public final class Values {
    private Values() {}

    /** Splits an ASCII (default repertoire) value on backslash, trimming padding. */
    public static List<String> splitAscii(byte[] raw) {
        return split(new String(raw, StandardCharsets.ISO_8859_1), false);
    }

    /** All values of a text element decoded with {@code cs}. */
    public static List<String> strings(ValueElement v, SpecificCharacterSet cs) {
        VR vr = v.vr();
        String s = vr.usesCharset() ? cs.decode(v.value(), vr == VR.PN)
                : new String(v.value(), StandardCharsets.ISO_8859_1);
        if (vr.isSingleValuedText()) {
            return List.of(trimTrailing(s, vr));
        }
        return split(s, vr == VR.UI);
    }

    private static List<String> split(String s, boolean ui) {
        if (s.indexOf('\\') < 0) { // one value: the common case, without the list building below
            String part = ui && s.indexOf('\0') >= 0 ? s.replace("\0", "").strip() : s.strip();
            return part.isEmpty() ? List.of() : List.of(part);
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '\\') {
                String part = s.substring(start, i);
                out.add(ui && part.indexOf('\0') >= 0 ? part.replace("\0", "").strip() : part.strip());
                start = i + 1;
            }
        }
        if (out.size() == 1 && out.get(0).isEmpty()) {
            return List.of();
        }
        return out;
    }

    private static String trimTrailing(String s, VR vr) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
            end--;
        }
        return s.substring(0, end);
    }

    /** Returns {@code raw} padded with {@code pad} to even length (a copy only if padding is needed). */
    public static byte[] padEven(byte[] raw, int pad) {
        if ((raw.length & 1) == 0) {
            return raw;
        }
        byte[] b = Arrays.copyOf(raw, raw.length + 1);
        b[raw.length] = (byte) pad;
        return b;
    }
}
