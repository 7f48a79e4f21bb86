package org.medveil.models.spec;

import org.medveil.models.ModelsException;

/** A model spec names an unknown network, an unknown hyperparameter or an invalid value. */
public final class ModelSpecException extends ModelsException {
    public ModelSpecException(String message) { super(message); }
}
