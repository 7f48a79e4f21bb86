package org.medveil.coordinator.jobs;

/** A job request the coordinator refuses; the message tells the user what to fix. */
public final class JobRefusedException extends RuntimeException {
    public JobRefusedException(String message) {
        super(message);
    }
}
