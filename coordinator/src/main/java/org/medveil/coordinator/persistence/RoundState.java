package org.medveil.coordinator.persistence;

/** Where one round's current attempt is. */
public enum RoundState {
    RUNNING, COMPLETED, FAILED
}
