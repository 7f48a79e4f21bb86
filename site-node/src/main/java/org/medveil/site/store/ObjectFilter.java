package org.medveil.site.store;

/** Selects objects for {@link ObjectStore#list}; a null field matches everything. */
public record ObjectFilter(StoredObjectKind kind, String dataset, StoredObject.State state, String patientKey) {

    /** Every object, destroyed ones included. */
    public static ObjectFilter all() {
        return new ObjectFilter(null, null, null, null);
    }

    /** Active objects of one dataset. */
    public static ObjectFilter activeIn(String dataset) {
        return new ObjectFilter(null, dataset, StoredObject.State.ACTIVE, null);
    }
}
