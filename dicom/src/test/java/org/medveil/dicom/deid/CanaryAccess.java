package org.medveil.dicom.deid;

import java.nio.file.Path;

/** Lets tests in other packages use the canary's dcmdump validity check. */
public final class CanaryAccess {
    private CanaryAccess() {}

    public static void assertParsesCleanly(Path file) throws Exception {
        Canary.assertParsesCleanly(file);
    }
}
