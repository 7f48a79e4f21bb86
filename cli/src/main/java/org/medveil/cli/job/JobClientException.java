package org.medveil.cli.job;

/** A job command that cannot go on; the message says what to do. */
public final class JobClientException extends RuntimeException {
    public JobClientException(String message) {
        super(message);
    }
}
