package org.medveil.cli.demo;

/** The demo cannot go on; the message says which step failed and where to look. */
public final class DemoException extends RuntimeException {
    public DemoException(String message) {
        super(message);
    }
}
