package org.medveil.he.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.he.Federation;
import org.medveil.he.WireFormatException;
import org.medveil.he.multiparty.CollectiveKeyGenerator;
import org.medveil.he.multiparty.DecryptionCombiner;
import org.medveil.he.multiparty.DecryptionShare;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.multiparty.KeyShareHolder;
import org.medveil.he.multiparty.PublicKeyShare;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;

@Tag("REQ-TX-4")
class WireCodecTest {

    private static final HeContext CTX = new HeContext(Params.defaults());
    private static final Federation FED = new Federation(CTX, 2);
    private static final WireCodec CODEC = new WireCodec(CTX);
    private static final Ciphertext CT = encrypt(0.5, -0.25, 0.125);
    private static final byte[] CT_BYTES = CODEC.encodeCiphertext(CT);

    private static Ciphertext encrypt(double... v) {
        return new Encryptor(CTX, FED.key, SecretRandom.create()).encrypt(new Encoder(CTX).encode(v, 1.0), 3);
    }

    private static void assertPolyEquals(Poly a, Poly b) {
        for (int i = 0; i < a.primes(); i++) {
            assertArrayEquals(a.at(i), b.at(i));
        }
    }

    @Test
    void ciphertextRoundTripsAndCostsWhatTheReadmeSays() {
        Ciphertext back = CODEC.decodeCiphertext(CT_BYTES);
        assertPolyEquals(CT.c0(), back.c0());
        assertPolyEquals(CT.c1(), back.c1());
        assertEquals(CT.keyId(), back.keyId());
        assertEquals(3, back.chunk());
        assertEquals(3, back.valueCount());
        assertEquals(1.0, back.bound());
        assertEquals(1, back.contributions());
        assertEquals(CODEC.ciphertextBytes(), CT_BYTES.length);
        // default: 3 primes x 54 bits x 2 polynomials = 40.5 bytes per value, plus a 64-byte frame
        assertEquals(331_840, CT_BYTES.length);
        double perValue = (double) CT_BYTES.length / CTX.n();
        assertTrue(perValue <= 40.51, "bytes per value " + perValue);
        // the fast set stays at 27.02
        WireCodec fast = new WireCodec(new HeContext(Params.byName(Params.FAST_NAME)));
        assertEquals(110_656, fast.ciphertextBytes());
    }

    @Test
    void sharesKeysAndSecretsRoundTripAndStillDecrypt() {
        // public key
        PublicKey k = CODEC.decodePublicKey(CODEC.encodePublicKey(FED.key));
        assertEquals(FED.key.keyId(), k.keyId());
        assertEquals(FED.key.parties(), k.parties());
        assertPolyEquals(FED.key.p0(), k.p0());
        assertPolyEquals(FED.key.p1(), k.p1());
        // public-key share
        CollectiveKeyGenerator ckg = new CollectiveKeyGenerator(CTX, new byte[32]);
        PublicKeyShare pks = ckg.share(FED.secrets.get(0), SecretRandom.create());
        PublicKeyShare pksBack = CODEC.decodePublicKeyShare(CODEC.encodePublicKeyShare(pks));
        assertEquals(pks.partyId(), pksBack.partyId());
        assertEquals(pks.crpDigest(), pksBack.crpDigest());
        assertPolyEquals(pks.p(), pksBack.p());
        // secret share (restored holders must still decrypt) and decryption shares over the wire
        Ciphertext ct = CODEC.decodeCiphertext(CT_BYTES);
        DecryptionShare[] shares = new DecryptionShare[2];
        for (int i = 0; i < 2; i++) {
            KeyShare restored = CODEC.decodeKeyShare(CODEC.encodeKeyShare(FED.secrets.get(i)));
            assertArrayEquals(FED.secrets.get(i).coefficients(), restored.coefficients());
            KeyShareHolder h = new KeyShareHolder(CTX, restored, k, new org.medveil.he.multiparty.InMemoryDecryptionLedger(),
                    FED.flooding, 1, SecretRandom.create());
            shares[i] = CODEC.decodeDecryptionShare(CODEC.encodeDecryptionShare(h.decryptionShare(ct)));
        }
        double[] v = new DecryptionCombiner(CTX, k, FED.flooding).combine(ct, List.of(shares));
        assertEquals(0.5, v[0], 1e-9);
        assertEquals(-0.25, v[1], 1e-9);
        assertEquals(0.125, v[2], 1e-9);
    }

    @Property(tries = 50)
    void everyTruncationIsRejected(@ForAll @IntRange(min = 0, max = 331_839) int length) {
        byte[] cut = java.util.Arrays.copyOf(CT_BYTES, Math.min(length, CT_BYTES.length - 1));
        WireFormatException e = assertThrows(WireFormatException.class, () -> CODEC.decodeCiphertext(cut));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("checksum")
                || e.getMessage().contains("magic"), e.getMessage());
    }

    @Property(tries = 100)
    void everySingleBitFlipIsRejected(@ForAll @IntRange(min = 0, max = 331_839) int index,
                                      @ForAll @IntRange(min = 0, max = 7) int bit) {
        byte[] corrupt = CT_BYTES.clone();
        corrupt[index] ^= (byte) (1 << bit);
        assertThrows(WireFormatException.class, () -> CODEC.decodeCiphertext(corrupt));
    }

    @Test
    void truncatedDataSaysSo() {
        byte[] cut = java.util.Arrays.copyOf(CT_BYTES, CT_BYTES.length - 1000);
        WireFormatException e = assertThrows(WireFormatException.class, () -> CODEC.decodeCiphertext(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void wrongParameterFingerprintIsNamed() {
        HeContext large = new HeContext(Params.byName(Params.FAST_NAME));
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> new WireCodec(large).decodeCiphertext(CT_BYTES));
        assertTrue(e.getMessage().contains(CTX.fingerprint()) && e.getMessage().contains(large.fingerprint()),
                e.getMessage());
    }

    @Test
    void outOfRangeCoefficientWithValidChecksumIsRejected() {
        Ciphertext forged = CT.copy();
        forged.c1().at(1)[17] = CTX.ring().modulus(1).value(); // = q, one past the range
        byte[] bytes = CODEC.encodeCiphertext(forged);
        // the encoder packs whatever it is given; the checksum is valid, the residue is not
        WireFormatException e = assertThrows(WireFormatException.class, () -> CODEC.decodeCiphertext(bytes));
        assertTrue(e.getMessage().contains("residue 17") && e.getMessage().contains("prime 1"), e.getMessage());
    }

    @Test
    void wrongKindVersionAndTamperedKeyAreRejected() {
        assertThrows(WireFormatException.class, () -> CODEC.decodeDecryptionShare(CT_BYTES));
        byte[] v2 = CT_BYTES.clone();
        v2[4] = 2;
        WireFormatException e = assertThrows(WireFormatException.class, () -> CODEC.decodeCiphertext(v2));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        // alter p0 or p1 (a) and fix the checksum: the key id no longer matches the content
        for (int offset : new int[] {1000, CODEC.encodePublicKey(FED.key).length - 100}) {
            byte[] key = CODEC.encodePublicKey(FED.key);
            key[offset] ^= 1;
            CRC32C crc = new CRC32C();
            crc.update(key, 0, key.length - 4);
            ByteBuffer.wrap(key, key.length - 4, 4).putInt((int) crc.getValue());
            WireFormatException k = assertThrows(WireFormatException.class, () -> CODEC.decodePublicKey(key));
            assertTrue(k.getMessage().contains("altered") || k.getMessage().contains("out of range"), k.getMessage());
        }
    }

    @Test
    void bitPackingRoundTripsAtEveryWidth() {
        java.util.Random rnd = new java.util.Random(1);
        for (int bits = 1; bits <= 61; bits++) {
            long[] v = new long[1000];
            for (int j = 0; j < v.length; j++) {
                v[j] = rnd.nextLong() >>> (64 - bits);
            }
            byte[] out = new byte[BitPacking.packedBytes(v.length, bits)];
            assertEquals(out.length, BitPacking.pack(v, v.length, bits, out, 0));
            long[] back = new long[v.length];
            assertEquals(-1, BitPacking.unpack(out, 0, v.length, bits, back, Long.MAX_VALUE));
            assertArrayEquals(v, back, "width " + bits);
        }
    }
}
