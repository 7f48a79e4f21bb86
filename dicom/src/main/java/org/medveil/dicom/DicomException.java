package org.medveil.dicom;

import java.io.IOException;

/** Base of the dicom module's checked exceptions. */
public class DicomException extends IOException {
    public DicomException(String message) { super(message); }

    public DicomException(String message, Throwable cause) { super(message, cause); }
}
