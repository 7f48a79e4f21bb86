package org.medveil.cli.dicom;

/** A failure the CLI prints as one line (what went wrong, where, what to do). */
final class DicomCliException extends RuntimeException {
    DicomCliException(String message) { super(message); }

    DicomCliException(String message, Throwable cause) { super(message, cause); }
}
