package org.medveil.models.engine;

import org.medveil.models.ModelsException;

/** An engine that is unknown, not in this build, or cannot run on this machine. */
public class EngineException extends ModelsException {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
