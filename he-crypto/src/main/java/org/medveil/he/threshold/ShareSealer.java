package org.medveil.he.threshold;

import java.security.PublicKey;

/**
 * Encrypts a Shamir share to its recipient: the share travels through the coordinator, which
 * must not be able to read it. The recipient's key is the public key of its kit certificate.
 * Confidentiality and binding only; sender authenticity comes from the sender's signature over
 * the sealed bytes (the contribution-signing layer), so a relayed share cannot be forged either.
 */
public interface ShareSealer {

    /** Seals {@code plaintext} for the holder of {@code recipientKey}, bound to {@code label}. */
    byte[] seal(SealLabel label, PublicKey recipientKey, byte[] plaintext);
}
