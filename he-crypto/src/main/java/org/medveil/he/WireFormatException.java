package org.medveil.he;

/** Bytes that do not decode: truncated, corrupted, wrong version, wrong parameters or out-of-range coefficients. */
public class WireFormatException extends HeException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }
}
