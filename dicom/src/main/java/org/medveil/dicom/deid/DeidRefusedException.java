package org.medveil.dicom.deid;

import org.medveil.dicom.DicomException;

/**
 * The object cannot be de-identified under the profile (e.g. burned-in annotation without an
 * occlusion rule); the caller quarantines it. Messages never contain identifying values.
 */
public class DeidRefusedException extends DicomException {
    public DeidRefusedException(String message) { super(message); }

    public DeidRefusedException(String message, Throwable cause) { super(message, cause); }
}
