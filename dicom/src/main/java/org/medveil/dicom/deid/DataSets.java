package org.medveil.dicom.deid;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.Element;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.Values;
import org.medveil.dicom.dict.DataDictionary;

import java.util.List;

/** Deep copies of data sets: values are immutable and shared, sequences and items are rebuilt. */
final class DataSets {
    private DataSets() {}

    static DataSet copy(DataSet src) {
        DataSet d = new DataSet();
        copyAll(src, d);
        return d;
    }

    static void copyAll(DataSet src, DataSet dst) {
        for (Element e : src.elements()) {
            copyInto(e, dst);
        }
    }

    /**
     * Values of a text element, also when it arrived as UN (decoded with its dictionary VR), so
     * pseudonyms and text cleaning see the same identifiers whatever the encoding.
     */
    static List<String> strings(DataSet ds, int tag) {
        if (!(ds.get(tag) instanceof ValueElement v)) {
            return List.of();
        }
        if (v.vr() == VR.UN) {
            VR real = DataDictionary.standard().vrOf(tag);
            return real.isText() ? Values.strings(new ValueElement(tag, real, v.value()), ds.charset()) : List.of();
        }
        return v.vr().isText() ? Values.strings(v, ds.charset()) : List.of();
    }

    /** First value of {@link #strings}, or null when absent or empty. */
    static String string(DataSet ds, int tag) {
        List<String> s = strings(ds, tag);
        return s.isEmpty() || s.get(0).isEmpty() ? null : s.get(0);
    }

    static void copyInto(Element e, DataSet dst) {
        if (e instanceof SequenceElement s) {
            SequenceElement t = dst.newSequence(s.tag(), s.undefinedLength());
            for (DataSet item : s.items()) {
                DataSet ti = t.addItem();
                ti.setUndefinedLengthItem(item.undefinedLengthItem());
                copyAll(item, ti);
            }
        } else {
            dst.put(e);
        }
    }
}
