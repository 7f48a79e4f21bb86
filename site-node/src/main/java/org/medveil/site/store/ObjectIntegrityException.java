package org.medveil.site.store;

/** A stored object failed its authentication tag or digest check: it was altered on disk. */
public final class ObjectIntegrityException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String objectId;

    public ObjectIntegrityException(String objectId, String what, Throwable cause) {
        super("object " + objectId + " is altered: " + what
                + "; run 'medveil site verify' and restore it from a backup", cause);
        this.objectId = objectId;
    }

    public String objectId() {
        return objectId;
    }
}
