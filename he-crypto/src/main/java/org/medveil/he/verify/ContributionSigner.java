package org.medveil.he.verify;

/**
 * A site's signing key, as this module sees it: no PKI here. The governance module implements it
 * with the site's kit (ECDSA P-256 over SHA-256). Used for contribution records and for the
 * commitments and reveals of public-key shares; every message this module asks to sign starts
 * with its own 4-byte magic and version, so a signature on one kind never verifies as another.
 */
public interface ContributionSigner {

    /** The site name the signature speaks for (the name in the site's certificate). */
    String site();

    /** What a verifier needs to find the key (e.g. the DER certificate); may be empty. */
    byte[] credential();

    /** Signs the canonical message bytes. */
    byte[] sign(byte[] message);
}
