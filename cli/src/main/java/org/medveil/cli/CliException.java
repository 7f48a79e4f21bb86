package org.medveil.cli;

/** An error the CLI reports as one line; the message says what went wrong and what to do. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }
}
