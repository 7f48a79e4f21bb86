package org.medveil.he.verify;

import org.medveil.he.SignatureRefusedException;

/**
 * Checks a site's signature, as this module sees it: no PKI here. The governance module
 * implements it against the project CA (the credential is the site's certificate, which must
 * name {@code site} and chain to the CA). Implementations must be thread-safe.
 */
public interface ContributionVerifier {

    /**
     * Returns normally when {@code signature} over {@code message} was made by {@code site};
     * throws {@link SignatureRefusedException} naming the reason otherwise.
     */
    void verify(String site, byte[] message, byte[] signature, byte[] credential) throws SignatureRefusedException;
}
