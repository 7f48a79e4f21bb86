package org.medveil.he;

/**
 * A sealed share could not be opened: altered in transit, sealed for another recipient, job or
 * sender, or malformed. Nothing of its content is used.
 */
public class ShareTransportException extends HeException {
    private static final long serialVersionUID = 1L;

    public ShareTransportException(String message) {
        super(message);
    }

    public ShareTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
