package org.medveil.he.threshold;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.medveil.he.ShareTransportException;

/** Shares relayed by the coordinator: only the addressed holder opens them, and nothing altered opens. */
class ShareSealingTest {

    private static final KeyPair ALICE = ThresholdFederation.p256();
    private static final KeyPair BOB = ThresholdFederation.p256();
    private static final SealLabel LABEL = new SealLabel("job-7", "site-a", "site-b");
    private static final byte[] SECRET = secret();
    private static final byte[] SEALED = new EcdhShareSealer().seal(LABEL, BOB.getPublic(), SECRET);

    private static byte[] secret() {
        byte[] b = new byte[5000];
        new Random(1).nextBytes(b);
        return b;
    }

    @Test
    void theRecipientOpensWhatWasSealed() {
        assertArrayEquals(SECRET, new EcdhShareOpener(BOB).open(LABEL, SEALED));
        byte[] again = new EcdhShareSealer().seal(LABEL, BOB.getPublic(), SECRET);
        assertFalse(Arrays.equals(SEALED, again), "each seal uses a fresh ephemeral key and nonce");
        assertTrue(SEALED.length == SECRET.length + 82 + 16, "overhead is 98 bytes, got " + (SEALED.length - SECRET.length));
    }

    @Test
    void anotherRecipientCannotOpen() {
        ShareTransportException e = assertThrows(ShareTransportException.class,
                () -> new EcdhShareOpener(ALICE).open(LABEL, SEALED));
        assertTrue(e.getMessage().contains("does not open"), e.getMessage());
    }

    @Test
    void anotherLabelCannotOpen() {
        EcdhShareOpener bob = new EcdhShareOpener(BOB);
        for (SealLabel other : new SealLabel[] {new SealLabel("job-8", "site-a", "site-b"),
                new SealLabel("job-7", "site-c", "site-b"), new SealLabel("job-7", "site-a", "site-c")}) {
            assertThrows(ShareTransportException.class, () -> bob.open(other, SEALED), other.toString());
        }
    }

    @Property(tries = 200)
    void everyAlteredByteIsRefused(@ForAll @IntRange(min = 0, max = 5097) int index,
                                   @ForAll @IntRange(min = 1, max = 255) int flip) {
        byte[] tampered = SEALED.clone();
        tampered[index] ^= (byte) flip;
        assertThrows(ShareTransportException.class, () -> new EcdhShareOpener(BOB).open(LABEL, tampered));
    }

    @Test
    void truncatedOrForeignDataAndNonP256KeysAreRefused() throws Exception {
        EcdhShareOpener bob = new EcdhShareOpener(BOB);
        assertThrows(ShareTransportException.class, () -> bob.open(LABEL, Arrays.copyOf(SEALED, 90)));
        assertThrows(ShareTransportException.class, () -> bob.open(LABEL, Arrays.copyOf(SEALED, SEALED.length - 1)));
        byte[] offCurve = SEALED.clone();
        offCurve[40] ^= 1; // a coordinate of the ephemeral point: no longer on the curve
        ShareTransportException e = assertThrows(ShareTransportException.class, () -> bob.open(LABEL, offCurve));
        assertTrue(e.getMessage().contains("not on P-256"), e.getMessage());
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair p384 = g.generateKeyPair();
        assertThrows(ShareTransportException.class, () -> new EcdhShareSealer().seal(LABEL, p384.getPublic(), SECRET));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        assertThrows(ShareTransportException.class,
                () -> new EcdhShareSealer().seal(LABEL, rsa.generateKeyPair().getPublic(), SECRET));
    }
}
