package org.medveil.dicom.occlusion;

import org.medveil.dicom.DicomException;

/** An occlusion rules file is invalid, or pixels cannot be blanked. */
public class OcclusionException extends DicomException {
    public OcclusionException(String message) { super(message); }

    public OcclusionException(String message, Throwable cause) { super(message, cause); }
}
