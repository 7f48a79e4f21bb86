package org.medveil.dicom.net;

import org.medveil.dicom.DicomException;

/** A peer broke the DICOM upper layer protocol; the association is aborted. */
public final class DicomNetworkException extends DicomException {
    public DicomNetworkException(String message) { super(message); }
}
