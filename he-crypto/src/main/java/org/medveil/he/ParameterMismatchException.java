package org.medveil.he;

/** Two objects were made under different parameter sets or keys. */
public class ParameterMismatchException extends HeException {
    private static final long serialVersionUID = 1L;

    public ParameterMismatchException(String message) {
        super(message);
    }
}
