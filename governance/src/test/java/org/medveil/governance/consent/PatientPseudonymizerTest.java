package org.medveil.governance.consent;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keyed pseudonym the consent registry is keyed by (issue 12); no requirement tag: ACQ-3 asks for the consent check, not for this key. */
class PatientPseudonymizerTest {

    static byte[] key(int seed) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) seed);
        return k;
    }

    @Test
    void sameIdSameKeyGivesSamePseudonymAndDicomPaddingDoesNotMatter() {
        PatientPseudonymizer p = new PatientPseudonymizer(key(1));
        assertEquals(p.pseudonym("PID-4711"), p.pseudonym("PID-4711"));
        assertEquals(p.pseudonym("PID-4711"), p.pseudonym("PID-4711 "), "DICOM pads LO values with a space");
        assertNotEquals(p.pseudonym("PID-4711"), p.pseudonym("PID-4712"));
        assertTrue(p.pseudonym("PID-4711").hex().matches("[0-9a-f]{64}"));
    }

    @Test
    void pseudonymIsAKeyedHashNotAPlainOne() throws Exception {
        PatientPseudonym a = new PatientPseudonymizer(key(1)).pseudonym("PID-4711");
        assertNotEquals(a, new PatientPseudonymizer(key(2)).pseudonym("PID-4711"), "another site key, another pseudonym");
        String plain = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("PID-4711".getBytes(StandardCharsets.UTF_8)));
        assertNotEquals(plain, a.hex(), "a plain SHA-256 of the ID could be recomputed by anyone");
        // An independent HMAC over the same (domain label, id) gives the same value: it is HMAC-SHA256.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key(1), "HmacSHA256"));
        mac.update("medveil/patient-pseudonym/v1\0".getBytes(StandardCharsets.US_ASCII));
        assertEquals(HexFormat.of().formatHex(mac.doFinal("PID-4711".getBytes(StandardCharsets.UTF_8))), a.hex());
    }

    @Test
    void keyIsCopiedAndNeverShown() {
        byte[] k = key(3);
        PatientPseudonymizer p = new PatientPseudonymizer(k);
        PatientPseudonym before = p.pseudonym("X1");
        Arrays.fill(k, (byte) 0);
        assertEquals(before, p.pseudonym("X1"), "changing the caller's array must not change the key");
        assertFalse(p.toString().contains("0303"), p.toString());
    }

    @Test
    void shortKeysAndEmptyIdsAreRefusedWithoutEchoingTheId() {
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> new PatientPseudonymizer(new byte[16]));
        assertTrue(shortKey.getMessage().contains("32 bytes"), shortKey.getMessage());
        PatientPseudonymizer p = new PatientPseudonymizer(key(1));
        assertThrows(IllegalArgumentException.class, () -> p.pseudonym("   "));
        IllegalArgumentException notHex = assertThrows(IllegalArgumentException.class,
                () -> new PatientPseudonym("PID-4711"));
        assertFalse(notHex.getMessage().contains("PID-4711"), notHex.getMessage());
    }
}
