package org.medveil.site.store;

import java.util.Locale;

/** An identified original as received, or a de-identified derivative made from one. */
public enum StoredObjectKind {
    ORIGINAL,
    DERIVATIVE;

    /** Value in the index's {@code kind} column. */
    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }

    static StoredObjectKind fromColumn(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
