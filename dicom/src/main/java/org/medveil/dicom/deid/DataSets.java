package org.medveil.dicom.deid;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.Element;
import org.medveil.dicom.SequenceElement;

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
