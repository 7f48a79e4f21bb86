package org.medveil.he;

/** A parameter set falls outside the HomomorphicEncryption.org 128-bit table. */
public class InsecureParametersException extends HeException {
    private static final long serialVersionUID = 1L;

    public InsecureParametersException(String message) {
        super(message);
    }
}
