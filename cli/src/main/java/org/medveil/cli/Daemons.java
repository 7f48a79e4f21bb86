package org.medveil.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Keeps a daemon running until the JVM is asked to stop, or the daemon gives up by itself. */
final class Daemons {
    private Daemons() {
    }

    static void runUntilStopped(AutoCloseable daemon) {
        runUntilStopped(daemon, new CompletableFuture<>());
    }

    /**
     * Runs until SIGTERM/Ctrl-C (then closes the daemon cleanly and returns null), or until
     * {@code fatal} completes: then closes the daemon and returns the line saying why, for the
     * command to report and exit non-zero so a supervisor sees the failure.
     */
    static String runUntilStopped(AutoCloseable daemon, CompletableFuture<String> fatal) {
        CompletableFuture<String> stopped = new CompletableFuture<>();
        Thread hook = new Thread(() -> {
            close(daemon);
            stopped.complete(null);
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        fatal.thenAccept(stopped::complete);
        try {
            String line = stopped.get();
            if (line != null) {
                Runtime.getRuntime().removeShutdownHook(hook);
                close(daemon);
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void close(AutoCloseable daemon) {
        try {
            daemon.close();
        } catch (Exception e) {
            System.err.println("medveil: error while stopping: " + e.getMessage());
        }
    }
}
