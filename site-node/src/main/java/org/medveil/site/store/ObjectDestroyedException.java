package org.medveil.site.store;

/** The object was destroyed (its data key is gone); it cannot be read from any copy. */
public final class ObjectDestroyedException extends StoreException {
    private static final long serialVersionUID = 1L;

    public ObjectDestroyedException(String objectId, String destroyedAt) {
        super("object " + objectId + " was destroyed at " + destroyedAt + " and cannot be read");
    }
}
