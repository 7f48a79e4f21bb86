package org.medveil.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a daemon running until the JVM is asked to stop, then closes it cleanly. */
final class Daemons {
    private Daemons() {
    }

    static void runUntilStopped(AutoCloseable daemon) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                daemon.close();
            } catch (Exception e) {
                System.err.println("medveil: error while stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
