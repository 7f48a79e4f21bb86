package org.medveil.he;

/** A value, a sum or a decoded coefficient lies outside the range the parameters can carry exactly. */
public class ValueOutOfRangeException extends HeException {
    private static final long serialVersionUID = 1L;

    public ValueOutOfRangeException(String message) {
        super(message);
    }
}
