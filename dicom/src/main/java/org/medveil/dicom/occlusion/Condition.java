package org.medveil.dicom.occlusion;

import org.medveil.dicom.DataSet;

import java.util.Locale;

/**
 * One test on a header value: {@code =} equals, {@code ~} contains, {@code ^} starts with; string
 * comparisons ignore case and surrounding spaces. A missing attribute never matches.
 */
public record Condition(String keyword, int tag, Op op, String value) {
    public enum Op {
        EQUALS("="), CONTAINS("~"), STARTS_WITH("^");

        final String symbol;

        Op(String symbol) { this.symbol = symbol; }

        static Op of(String s) {
            for (Op o : values()) {
                if (o.symbol.equals(s)) {
                    return o;
                }
            }
            return null;
        }
    }

    public boolean test(DataSet ds) {
        String actual = actual(ds);
        if (actual == null) {
            return false;
        }
        String a = actual.strip().toLowerCase(Locale.ROOT);
        String v = value.strip().toLowerCase(Locale.ROOT);
        return switch (op) {
            case EQUALS -> a.equals(v);
            case CONTAINS -> a.contains(v);
            case STARTS_WITH -> a.startsWith(v);
        };
    }

    private String actual(DataSet ds) {
        var e = ds.get(tag);
        if (e == null) {
            return null;
        }
        if (e.vr().isText()) {
            // multi-valued text (e.g. Image Type) is compared as written: values joined by '\'
            return String.join("\\", ds.getStrings(tag));
        }
        int v = ds.getInt(tag, Integer.MIN_VALUE);
        return v == Integer.MIN_VALUE ? null : Integer.toString(v);
    }

    @Override
    public String toString() { return keyword + " " + op.symbol + " " + value; }
}
