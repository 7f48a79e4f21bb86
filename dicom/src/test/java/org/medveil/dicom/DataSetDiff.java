package org.medveil.dicom;

import java.util.ArrayList;
import java.util.List;

/** Test helper: the first difference between two data sets, as a tag path (no values). */
public final class DataSetDiff {
    private DataSetDiff() {}

    public static String first(DataSet a, DataSet b) {
        return first(a, b, "", false);
    }

    /** Like {@link #first} but text values compare as their stripped values (senders may re-pad them). */
    public static String firstIgnoringPadding(DataSet a, DataSet b) {
        return first(a, b, "", true);
    }

    private static String first(DataSet a, DataSet b, String path, boolean lenient) {
        List<Element> x = new ArrayList<>(a.elements());
        List<Element> y = new ArrayList<>(b.elements());
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            if (i >= x.size()) {
                return path + Tag.toString(y.get(i).tag()) + " only in second";
            }
            if (i >= y.size()) {
                return path + Tag.toString(x.get(i).tag()) + " only in first";
            }
            Element e = x.get(i);
            Element f = y.get(i);
            if (e.tag() != f.tag()) {
                return path + Tag.toString(e.tag()) + " vs " + Tag.toString(f.tag());
            }
            if (e instanceof SequenceElement s && f instanceof SequenceElement t) {
                if (s.size() != t.size()) {
                    return path + Tag.toString(e.tag()) + " item count " + s.size() + " vs " + t.size();
                }
                for (int k = 0; k < s.size(); k++) {
                    String d = first(s.item(k), t.item(k), path + Tag.toString(e.tag()) + "[" + k + "]/", lenient);
                    if (d != null) {
                        return d;
                    }
                }
            } else if (lenient && e instanceof ValueElement v && f instanceof ValueElement w && v.vr() == w.vr()
                    && v.vr().isText()) {
                if (!a.getStrings(v.tag()).equals(b.getStrings(w.tag()))) {
                    return path + Tag.toString(e.tag()) + " text differs";
                }
            } else if (!e.equals(f)) {
                return path + Tag.toString(e.tag()) + " " + e + " vs " + f;
            }
        }
        return null;
    }
}
