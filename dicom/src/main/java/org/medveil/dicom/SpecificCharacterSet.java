package org.medveil.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Specific Character Set (0008,0005) decoding (PS3.3 C.12.1.1.2, PS3.5 §6.1): single-byte
 * ISO 8859 sets, UTF-8, GB18030, GBK, and ISO 2022 code extensions with escape sequences
 * (Japanese JIS X 0201/0208/0212, Korean KS X 1001, Chinese GB 2312), resetting to the initial
 * sets at value, component and line delimiters.
 */
public final class SpecificCharacterSet {
    /** One coded character set: how to decode its bytes, and whether it is a 2-byte set. */
    private record Coded(Charset charset, boolean twoByte, int prefix) {}

    private static final Coded ASCII = new Coded(StandardCharsets.ISO_8859_1, false, 0);

    /** Defined terms without code extensions. */
    private static final Map<String, String> SIMPLE = Map.ofEntries(
            Map.entry("ISO_IR 6", "ISO-8859-1"), Map.entry("ISO_IR 100", "ISO-8859-1"),
            Map.entry("ISO_IR 101", "ISO-8859-2"), Map.entry("ISO_IR 109", "ISO-8859-3"),
            Map.entry("ISO_IR 110", "ISO-8859-4"), Map.entry("ISO_IR 144", "ISO-8859-5"),
            Map.entry("ISO_IR 127", "ISO-8859-6"), Map.entry("ISO_IR 126", "ISO-8859-7"),
            Map.entry("ISO_IR 138", "ISO-8859-8"), Map.entry("ISO_IR 148", "ISO-8859-9"),
            Map.entry("ISO_IR 203", "ISO-8859-15"), Map.entry("ISO_IR 166", "TIS-620"),
            Map.entry("ISO_IR 13", "JIS_X0201"), Map.entry("ISO_IR 192", "UTF-8"),
            Map.entry("GB18030", "GB18030"), Map.entry("GBK", "GBK"));

    /** G1 (high-bit) sets designated by ESC '-' F. */
    private static final Map<Character, String> G1_96 = Map.ofEntries(
            Map.entry('A', "ISO-8859-1"), Map.entry('B', "ISO-8859-2"), Map.entry('C', "ISO-8859-3"),
            Map.entry('D', "ISO-8859-4"), Map.entry('L', "ISO-8859-5"), Map.entry('G', "ISO-8859-6"),
            Map.entry('F', "ISO-8859-7"), Map.entry('H', "ISO-8859-8"), Map.entry('M', "ISO-8859-9"),
            Map.entry('T', "TIS-620"), Map.entry('b', "ISO-8859-15"));

    /** Initial G1 set for each ISO 2022 defined term. */
    private static final Map<String, String> ISO2022_G1 = Map.ofEntries(
            Map.entry("ISO 2022 IR 100", "-A"), Map.entry("ISO 2022 IR 101", "-B"),
            Map.entry("ISO 2022 IR 109", "-C"), Map.entry("ISO 2022 IR 110", "-D"),
            Map.entry("ISO 2022 IR 144", "-L"), Map.entry("ISO 2022 IR 127", "-G"),
            Map.entry("ISO 2022 IR 126", "-F"), Map.entry("ISO 2022 IR 138", "-H"),
            Map.entry("ISO 2022 IR 148", "-M"), Map.entry("ISO 2022 IR 203", "-b"),
            Map.entry("ISO 2022 IR 166", "-T"), Map.entry("ISO 2022 IR 13", ")I"),
            Map.entry("ISO 2022 IR 149", "$)C"), Map.entry("ISO 2022 IR 58", "$)A"),
            Map.entry("ISO 2022 IR 6", ""), Map.entry("ISO 2022 IR 87", ""), Map.entry("ISO 2022 IR 159", ""));

    public static final SpecificCharacterSet DEFAULT = new SpecificCharacterSet(List.of(), StandardCharsets.ISO_8859_1, false, null);

    private final List<String> terms;
    private final Charset primary;
    private final boolean codeExtensions;
    private final Coded initialG1;

    private SpecificCharacterSet(List<String> terms, Charset primary, boolean codeExtensions, Coded initialG1) {
        this.terms = terms;
        this.primary = primary;
        this.codeExtensions = codeExtensions;
        this.initialG1 = initialG1;
    }

    /**
     * Character set for the values of (0008,0005). Unknown defined terms fall back to the default
     * repertoire read as ISO 8859-1, so text stays readable and bytes are never lost.
     */
    public static SpecificCharacterSet of(List<String> values) {
        if (values.isEmpty() || values.stream().allMatch(String::isEmpty)) {
            return DEFAULT;
        }
        String first = values.get(0).strip();
        boolean ext = values.stream().anyMatch(v -> v.strip().startsWith("ISO 2022"));
        if (!ext) {
            String name = SIMPLE.get(first);
            return new SpecificCharacterSet(List.copyOf(values), name == null ? StandardCharsets.ISO_8859_1 : charset(name), false, null);
        }
        String g1 = ISO2022_G1.get(first);
        Coded initial = g1 == null || g1.isEmpty() ? null : designate(g1);
        return new SpecificCharacterSet(List.copyOf(values), StandardCharsets.ISO_8859_1, true, initial);
    }

    private static Charset charset(String name) {
        try {
            return Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    /** The defined terms this set was built from. */
    public List<String> terms() { return terms; }

    /** True when the value uses ISO 2022 escape sequences. */
    public boolean usesCodeExtensions() { return codeExtensions; }

    /** Decodes a raw value; {@code pn} makes '^' and '=' reset the code extensions too. */
    public String decode(byte[] raw, boolean pn) {
        if (!codeExtensions) {
            return new String(raw, primary);
        }
        return decode2022(raw, pn);
    }

    /** Encodes text; with ISO 2022 only what the initial sets can express is accepted. */
    public byte[] encode(String text) {
        if (!codeExtensions) {
            return strictEncode(text, primary);
        }
        if (text.chars().allMatch(c -> c < 0x80)) {
            return text.getBytes(StandardCharsets.US_ASCII);
        }
        if (initialG1 != null && !initialG1.twoByte()) {
            return strictEncode(text, initialG1.charset());
        }
        throw new IllegalArgumentException("cannot encode non-ASCII text with Specific Character Set " + terms
                + " (ISO 2022 multi-byte encoding is not implemented); set (0008,0005) to ISO_IR 192 first");
    }

    private static byte[] strictEncode(String text, Charset cs) {
        try {
            var buf = cs.newEncoder().onUnmappableCharacter(CodingErrorAction.REPORT)
                    .onMalformedInput(CodingErrorAction.REPORT).encode(java.nio.CharBuffer.wrap(text));
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text cannot be encoded in " + cs.name()
                    + "; change Specific Character Set (0008,0005) to ISO_IR 192", e);
        }
    }

    private static Coded designate(String seq) {
        switch (seq) {
            case "(B", "(J":
                return ASCII;
            case ")I":
                return new Coded(charset("JIS_X0201"), false, 0);
            case "$B", "$@":
                return new Coded(charset("EUC-JP"), true, 0);
            case "$(D":
                return new Coded(charset("EUC-JP"), true, 0x8F);
            case "$)C":
                return new Coded(charset("EUC-KR"), true, 0);
            case "$)A":
                return new Coded(charset("GB2312"), true, 0);
            default:
                if (seq.length() == 2 && seq.charAt(0) == '-' && G1_96.containsKey(seq.charAt(1))) {
                    return new Coded(charset(G1_96.get(seq.charAt(1))), false, 0);
                }
                return null;
        }
    }

    private static boolean designatesG0(String seq) {
        return seq.startsWith("(") || seq.equals("$B") || seq.equals("$@") || seq.startsWith("$(");
    }

    private String decode2022(byte[] raw, boolean pn) {
        StringBuilder out = new StringBuilder(raw.length);
        Coded g0 = ASCII;
        Coded g1 = initialG1;
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        Coded runSet = null;
        int i = 0;
        while (i < raw.length) {
            int b = raw[i] & 0xFF;
            if (b == 0x1B) {
                int end = escapeEnd(raw, i);
                String seq = new String(raw, i + 1, end - i - 1, StandardCharsets.ISO_8859_1);
                Coded c = designate(seq);
                flush(out, run, runSet);
                if (c != null) {
                    if (designatesG0(seq)) {
                        g0 = c;
                    } else {
                        g1 = c;
                    }
                }
                i = end;
                continue;
            }
            Coded set;
            int n;
            if (b < 0x80) {
                set = g0;
                n = g0.twoByte() && b >= 0x21 && i + 1 < raw.length ? 2 : 1;
                if (n == 1 && (isDelimiter(b, pn))) {
                    g0 = ASCII;
                    g1 = initialG1;
                    set = ASCII;
                }
            } else {
                set = g1 == null ? ASCII : g1;
                n = set.twoByte() && i + 1 < raw.length ? 2 : 1;
            }
            if (set != runSet) {
                flush(out, run, runSet);
                runSet = set;
            }
            if (set.twoByte() && n == 2) {
                if (set.prefix() != 0) {
                    run.write(set.prefix());
                }
                run.write(raw[i] | 0x80);
                run.write(raw[i + 1] | 0x80);
            } else if (set.twoByte()) {
                flush(out, run, runSet);
                out.append((char) b);
            } else {
                run.write(b);
            }
            i += n;
        }
        flush(out, run, runSet);
        return out.toString();
    }

    private static boolean isDelimiter(int b, boolean pn) {
        return b == '\\' || b == '\r' || b == '\n' || b == '\t' || b == '\f' || (pn && (b == '^' || b == '='));
    }

    /** Index just past an escape sequence starting at {@code start} (ESC, intermediates 0x20-0x2F, final). */
    private static int escapeEnd(byte[] raw, int start) {
        int i = start + 1;
        while (i < raw.length && (raw[i] & 0xFF) >= 0x20 && (raw[i] & 0xFF) <= 0x2F) {
            i++;
        }
        return Math.min(i + 1, raw.length);
    }

    private static void flush(StringBuilder out, ByteArrayOutputStream run, Coded set) {
        if (run.size() > 0) {
            out.append(new String(run.toByteArray(), set == null ? StandardCharsets.ISO_8859_1 : set.charset()));
            run.reset();
        }
    }

    @Override
    public String toString() { return "SpecificCharacterSet" + terms; }
}
