package org.medveil.site.lifecycle;

/** A backup, restore, archive or destruction step refused or failed; the message says what, where and what to do. */
public class LifecycleException extends RuntimeException {

    public LifecycleException(String message) {
        super(message);
    }

    public LifecycleException(String message, Throwable cause) {
        super(message, cause);
    }
}
