package org.medveil.governance.consent;

/**
 * A consent file that cannot be imported. The message names the file, the line and the column,
 * and never contains a value from the file: any cell might hold a patient ID.
 */
public class ConsentImportException extends RuntimeException {
    public ConsentImportException(String message) {
        super(message);
    }

    public ConsentImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
