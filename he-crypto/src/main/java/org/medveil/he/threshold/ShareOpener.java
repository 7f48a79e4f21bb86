package org.medveil.he.threshold;

/** The recipient's side of {@link ShareSealer}: holds its private key. */
public interface ShareOpener {

    /**
     * Opens a share sealed for this recipient under {@code label}; anything altered, sealed for
     * someone else or under another label throws {@link org.medveil.he.ShareTransportException}.
     */
    byte[] open(SealLabel label, byte[] sealed);
}
