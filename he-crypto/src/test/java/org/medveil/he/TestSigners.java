package org.medveil.he;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.medveil.he.verify.ContributionSigner;
import org.medveil.he.verify.ContributionVerifier;

/**
 * Test fixture: one ECDSA P-256 key pair per site (JDK only, as the governance implementation
 * uses through the kits). The credential is the site's encoded public key; the verifier accepts
 * only the key registered for the claimed site.
 */
public final class TestSigners implements ContributionVerifier {

    private final Map<String, KeyPair> keys = new TreeMap<>();

    public TestSigners(Collection<String> sites) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            for (String s : sites) {
                keys.put(s, g.generateKeyPair());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public ContributionSigner signer(String site) {
        return impostor(site, site);
    }

    /** Claims to be {@code claimed} but signs with {@code realKeyOf}'s key and credential. */
    public ContributionSigner impostor(String claimed, String realKeyOf) {
        KeyPair kp = keys.get(realKeyOf);
        return new ContributionSigner() {
            @Override
            public String site() {
                return claimed;
            }

            @Override
            public byte[] credential() {
                return kp.getPublic().getEncoded();
            }

            @Override
            public byte[] sign(byte[] message) {
                try {
                    Signature s = Signature.getInstance("SHA256withECDSA");
                    s.initSign(kp.getPrivate());
                    s.update(message);
                    return s.sign();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    @Override
    public void verify(String site, byte[] message, byte[] signature, byte[] credential) {
        KeyPair kp = keys.get(site);
        if (kp == null || !Arrays.equals(kp.getPublic().getEncoded(), credential)) {
            throw new SignatureRefusedException(SignatureRefusedException.Reason.UNKNOWN_SIGNER,
                    "no key of site " + site + " matches the credential");
        }
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(kp.getPublic());
            s.update(message);
            if (!s.verify(signature)) {
                throw new SignatureRefusedException(SignatureRefusedException.Reason.BAD_SIGNATURE,
                        "signature of site " + site + " does not verify");
            }
        } catch (java.security.SignatureException e) {
            throw new SignatureRefusedException(SignatureRefusedException.Reason.BAD_SIGNATURE,
                    "signature of site " + site + " is malformed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
