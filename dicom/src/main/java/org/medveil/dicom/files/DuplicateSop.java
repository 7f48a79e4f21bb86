package org.medveil.dicom.files;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.net.DirectoryStore;

/**
 * The codec's rule for a second object with a SOP Instance UID already held: never a silent
 * overwrite. The same object again (same data set, meta header and encoding aside) is a
 * duplicate that is not stored twice; different content under that UID is refused and the held
 * object stays as it was. Used by the CLI ({@code deid}, {@code dicom convert}), the SCP's
 * {@link DirectoryStore} and the site node's store.
 */
public final class DuplicateSop {

    /** What to do with the second object. */
    public enum Verdict {
        /** Same object: report success, keep one copy. */
        SAME,
        /** Different content under a held UID: refuse, keep the held object. */
        DIFFERENT
    }

    /** Reason text for {@link Verdict#DIFFERENT}; holds no PHI. */
    public static final String DIFFERENT_CONTENT = "duplicate SOP Instance UID, different content";

    private DuplicateSop() {}

    /** Compares the held and the incoming data set by {@link DirectoryStore#sameObject}. */
    public static Verdict compare(DataSet held, DataSet incoming) {
        return DirectoryStore.sameObject(held, incoming) ? Verdict.SAME : Verdict.DIFFERENT;
    }
}
