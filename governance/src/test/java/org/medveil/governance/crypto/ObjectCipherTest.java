package org.medveil.governance.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ObjectCipherTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] AAD = "object-1".getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void roundTrip(CipherSuite suite) throws Exception {
        ObjectCipher c = new ObjectCipher(suite);
        byte[] key = c.newKey();
        assertEquals(suite.keyBytes(), key.length);
        byte[] pt = "pixel data and header".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = c.seal(key, pt, AAD);
        assertEquals(ObjectCipher.NONCE_BYTES + pt.length + ObjectCipher.TAG_BYTES, sealed.length);
        assertArrayEquals(pt, c.open(key, sealed, AAD));
        // fresh nonce each time: the same plaintext never seals to the same bytes
        assertFalse(Arrays.equals(sealed, c.seal(key, pt, AAD)));
    }

    @Tag("REQ-STO-2")
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void everyAlteredByteAndWrongAadOrKeyIsRefused(CipherSuite suite) {
        ObjectCipher c = new ObjectCipher(suite);
        byte[] key = c.newKey();
        byte[] sealed = c.seal(key, new byte[40], AAD);
        for (int i = 0; i < sealed.length; i++) {
            byte[] bad = sealed.clone();
            bad[i] ^= 0x01;
            assertThrows(TamperedException.class, () -> c.open(key, bad, AAD), "flipped byte " + i);
        }
        assertThrows(TamperedException.class,
                () -> c.open(key, sealed, "object-2".getBytes(StandardCharsets.UTF_8)));
        assertThrows(TamperedException.class, () -> c.open(c.newKey(), sealed, AAD));
        assertThrows(TamperedException.class, () -> c.open(key, Arrays.copyOf(sealed, 20), AAD));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void wrappedKeyOpensOnlyForItsObject(CipherSuite suite) throws Exception {
        ObjectCipher c = new ObjectCipher(suite);
        byte[] master = c.newKey();
        byte[] data = c.newKey();
        byte[] wrapped = c.wrapKey(master, data, "a1");
        assertArrayEquals(data, c.unwrapKey(master, wrapped, "a1"));
        assertThrows(TamperedException.class, () -> c.unwrapKey(master, wrapped, "a2"));
        assertThrows(TamperedException.class, () -> c.unwrapKey(c.newKey(), wrapped, "a1"));
    }

    @Test
    void wrongKeyLengthIsNamed() {
        ObjectCipher c = new ObjectCipher(CipherSuite.SM4_GCM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.seal(new byte[32], new byte[1], AAD));
        assertEquals("sm4-gcm needs a 16-byte key, got 32 bytes", e.getMessage());
    }

    /** GB/T 32907-2016 example 1: one SM4 block. */
    @Test
    void sm4BlockCipherMatchesGbT32907Example() {
        byte[] kp = HEX.parseHex("0123456789abcdeffedcba9876543210");
        SM4Engine e = new SM4Engine();
        e.init(true, new KeyParameter(kp));
        byte[] out = new byte[16];
        e.processBlock(kp, 0, out, 0);
        assertEquals("681edf34d206965e86b3e94f536e4246", HEX.formatHex(out));
    }

    /** RFC 8998 appendix A.1: SM4-GCM known answer, through this class. */
    @Test
    void sm4GcmMatchesRfc8998Vector() throws Exception {
        byte[] key = HEX.parseHex("0123456789abcdeffedcba9876543210");
        byte[] iv = HEX.parseHex("00001234567800000000abcd");
        byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] pt = HEX.parseHex("aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
                + "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa");
        String ct = "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
                + "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d";
        String tag = "83de3541e4c2b58177e065a9bf7b62ec";
        ObjectCipher c = new ObjectCipher(CipherSuite.SM4_GCM);
        byte[] sealed = c.seal(key, iv, pt, aad);
        assertEquals(HEX.formatHex(iv) + ct + tag, HEX.formatHex(sealed));
        assertArrayEquals(pt, c.open(key, sealed, aad));
    }

    /** NIST GCM spec (McGrew–Viega) test case 14: AES-256, zero key, one zero block. */
    @Test
    void aesGcmMatchesNistVector() {
        ObjectCipher c = new ObjectCipher(CipherSuite.AES_256_GCM);
        byte[] sealed = c.seal(new byte[32], new byte[12], new byte[16], null);
        assertEquals("000000000000000000000000" + "cea7403d4d606b6e074ec5d3baf39d18"
                + "d0d1c8a799996bf0265b98b5d48ab919", HEX.formatHex(sealed));
    }
}
