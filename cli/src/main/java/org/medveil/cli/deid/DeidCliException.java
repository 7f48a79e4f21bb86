package org.medveil.cli.deid;

/** A failure the CLI prints as one line (what went wrong, where, what to do). */
final class DeidCliException extends RuntimeException {
    DeidCliException(String message) { super(message); }

    DeidCliException(String message, Throwable cause) { super(message, cause); }
}
