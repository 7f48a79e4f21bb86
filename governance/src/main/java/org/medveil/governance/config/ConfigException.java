package org.medveil.governance.config;

/** A configuration or kit file that cannot be used. The message names the file and, when known, the field and line. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
