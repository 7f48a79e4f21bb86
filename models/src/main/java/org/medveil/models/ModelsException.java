package org.medveil.models;

/**
 * Base of the models module's errors. Messages say what is wrong, where and what to do, and never
 * contain PHI (no patient names, IDs or dates; file names only as written by our tools).
 */
public class ModelsException extends RuntimeException {
    public ModelsException(String message) { super(message); }

    public ModelsException(String message, Throwable cause) { super(message, cause); }
}
