package org.medveil.coordinator;

import com.google.protobuf.Timestamp;

import java.time.Instant;

final class Timestamps {
    private Timestamps() {
    }

    static Timestamp of(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
