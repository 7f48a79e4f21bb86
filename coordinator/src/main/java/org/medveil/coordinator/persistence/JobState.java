package org.medveil.coordinator.persistence;

/** Where a federated job is; COMPLETED, FAILED and ABORTED are final. */
public enum JobState {
    SUBMITTED, OFFERED, KEY_SETUP, RUNNING, COMPLETED, FAILED, ABORTED;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == ABORTED;
    }
}
