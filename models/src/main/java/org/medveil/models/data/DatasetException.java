package org.medveil.models.data;

import org.medveil.models.ModelsException;

/** A data folder, label sidecar or image cannot be used for training. */
public final class DatasetException extends ModelsException {
    public DatasetException(String message) { super(message); }

    public DatasetException(String message, Throwable cause) { super(message, cause); }
}
