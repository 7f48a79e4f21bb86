package org.medveil.coordinator.persistence;

/**
 * A coordinator store operation failed; the message names the database (never its password)
 * and what to do.
 */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
