package org.medveil.he.threshold;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.medveil.he.ShareTransportException;

/** {@link ShareOpener} for {@link EcdhShareSealer}: the recipient's kit key pair (EC P-256). Thread-safe. */
public final class EcdhShareOpener implements ShareOpener {

    private final KeyPair recipient;
    private final byte[] recipientPoint;

    public EcdhShareOpener(KeyPair recipient) {
        ECPublicKey pub = EcdhSeal.requireP256(recipient.getPublic(), "this holder's key");
        this.recipient = recipient;
        this.recipientPoint = EcdhSeal.encodePoint(pub);
    }

    @Override
    public byte[] open(SealLabel label, byte[] sealed) {
        int tag = EcdhSeal.TAG_BITS / 8;
        if (sealed.length < EcdhSeal.HEADER + tag) {
            throw new ShareTransportException("sealed share from " + label.sender() + " is truncated (" + sealed.length
                    + " bytes); ask the sender to deal again");
        }
        if (!Arrays.equals(sealed, 0, 4, EcdhSeal.MAGIC, 0, 4) || sealed[4] != EcdhSeal.VERSION) {
            throw new ShareTransportException("sealed share from " + label.sender()
                    + " has an unknown magic or version; the sender runs an incompatible version");
        }
        byte[] epk = Arrays.copyOfRange(sealed, 5, 5 + EcdhSeal.POINT_BYTES);
        ECPublicKey ephemeral = EcdhSeal.decodePoint(sealed, 5);
        byte[] z = EcdhSeal.sharedSecret(recipient.getPrivate(), ephemeral);
        byte[] key = EcdhSeal.hkdf(z, EcdhSeal.concat(epk, recipientPoint));
        Arrays.fill(z, (byte) 0);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(EcdhSeal.TAG_BITS,
                    sealed, 5 + EcdhSeal.POINT_BYTES, EcdhSeal.NONCE_BYTES));
            gcm.updateAAD(sealed, 0, EcdhSeal.HEADER);
            gcm.updateAAD(label.encode());
            return gcm.doFinal(sealed, EcdhSeal.HEADER, sealed.length - EcdhSeal.HEADER);
        } catch (AEADBadTagException e) {
            throw new ShareTransportException("sealed share labelled " + label.sender() + " -> " + label.recipient()
                    + " for job " + label.jobId() + " does not open: it was altered, or sealed for another recipient,"
                    + " sender or job; discard it and ask the sender to deal again");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks AES-GCM, which share sealing requires", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }
}
