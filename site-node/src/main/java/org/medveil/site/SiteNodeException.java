package org.medveil.site;

/** The site node cannot start or must stop: the message is one line saying what, where and what to do. */
public final class SiteNodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SiteNodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
