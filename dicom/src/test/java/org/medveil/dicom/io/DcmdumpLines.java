package org.medveil.dicom.io;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses dcmdump-style output (dcmtk's or ours) into comparable element lines: indentation,
 * tag, VR and value. Meta group, group lengths and delimiters are left out because writers
 * legitimately differ there (we drop group lengths; dcmdump adds "for re-encoding" delimiters).
 */
final class DcmdumpLines {
    record Line(int indent, String tag, String vr, String value) {
        boolean isPrivate() {
            return (Integer.parseInt(tag.substring(1, 5), 16) & 1) == 1;
        }
    }

    private static final Pattern LINE =
            Pattern.compile("^( *)\\(([0-9a-f]{4}),([0-9a-f]{4})\\) (\\S\\S) (.*?)\\s*# *(u/l|\\d+|\\?), *(\\d+) (.*)$");

    private DcmdumpLines() {}

    static List<Line> parse(String dump) {
        List<Line> out = new ArrayList<>();
        for (String raw : dump.split("\n")) {
            Matcher m = LINE.matcher(raw);
            if (!m.matches()) {
                continue;
            }
            String group = m.group(2);
            String element = m.group(3);
            if (group.equals("0002") || element.equals("0000")
                    || (group.equals("fffe") && (element.equals("e00d") || element.equals("e0dd")))) {
                continue;
            }
            String value = m.group(5);
            if (group.equals("fffe") && m.group(4).equals("na")) {
                value = value.replaceAll(".*(#=\\d+).*", "item $1"); // dcmtk names DICOMDIR records here
            }
            String vr = m.group(4).equals("up") ? "UL" : m.group(4); // dcmtk's name for DICOMDIR offsets
            out.add(new Line(m.group(1).length(), "(" + group + "," + element + ")", vr, value));
        }
        return out;
    }

    /** Null if equal, else a description of the first difference (no values: they may be PHI-like). */
    static String compare(List<Line> expected, List<Line> actual) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            Line e = expected.get(i);
            Line a = actual.get(i);
            if (e.indent() != a.indent() || !e.tag().equals(a.tag())) {
                return "line " + i + ": expected " + e.tag() + " at indent " + e.indent() + " but got " + a.tag()
                        + " at indent " + a.indent();
            }
            if (e.isPrivate() && (a.vr().equals("UN") || e.vr().equals("UN")) && !e.vr().equals(a.vr())) {
                continue; // dcmtk knows private dictionaries we deliberately do not ship
            }
            boolean pixelSequence = e.value().startsWith("(PixelSequence") && a.value().startsWith("(PixelSequence");
            if (!e.vr().equals(a.vr()) && !pixelSequence) { // dcmtk shows every pixel sequence as OB
                return "line " + i + " " + e.tag() + ": VR " + e.vr() + " vs " + a.vr();
            }
            if (!sameValue(e.vr(), e.value(), a.value())) {
                return "line " + i + " " + e.tag() + " " + e.vr() + ": value differs:\n  dcmtk: " + cut(e.value())
                        + "\n  ours:  " + cut(a.value());
            }
        }
        if (expected.size() != actual.size()) {
            return "element count differs: " + expected.size() + " vs " + actual.size()
                    + (n < expected.size() ? ", next expected " + expected.get(n).tag() : ", next actual " + actual.get(n).tag());
        }
        return null;
    }

    private static String cut(String s) { return s.length() > 200 ? s.substring(0, 200) + "..." : s; }

    private static boolean sameValue(String vr, String e, String a) {
        if (e.equals(a)) {
            return true;
        }
        if (vr.equals("FL") || vr.equals("FD") || vr.equals("OF") || vr.equals("OD")) {
            String[] x = e.split("\\\\");
            String[] y = a.split("\\\\");
            if (x.length != y.length) {
                return false;
            }
            for (int i = 0; i < x.length; i++) {
                double p = Double.parseDouble(x[i]);
                double q = Double.parseDouble(y[i]);
                if (!(Math.abs(p - q) <= 1e-5 * Math.max(1, Math.abs(p)) || (Double.isNaN(p) && Double.isNaN(q)))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
