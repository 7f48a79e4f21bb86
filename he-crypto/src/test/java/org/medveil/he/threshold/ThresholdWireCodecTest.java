package org.medveil.he.threshold;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.medveil.he.Federation;
import org.medveil.he.WireFormatException;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Encoder;
import org.medveil.he.rlwe.Encryptor;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.wire.ThresholdWireCodec;

class ThresholdWireCodecTest {

    private static final HeContext CTX = new HeContext(Params.byName(Params.FAST_NAME));
    private static final ThresholdFederation TF = new ThresholdFederation(CTX, 3, 2);
    private static final ThresholdWireCodec CODEC = new ThresholdWireCodec(CTX);

    private static void assertPolyEquals(Poly a, Poly b) {
        for (int i = 0; i < a.primes(); i++) {
            assertArrayEquals(a.at(i), b.at(i));
        }
    }

    @Test
    void everyThresholdObjectRoundTripsAndRestoredSharesStillDecrypt() {
        ShamirShare s = new Thresholdizer(CTX, TF.threshold).deal(TF.fed.secrets.get(0), SecretRandom.create())
                .shareFor(Federation.partyId(1));
        ShamirShare back = CODEC.decodeShamirShare(CODEC.encodeShamirShare(s));
        assertEquals(List.of(s.dealer(), s.recipient(), s.keyId(), s.t()),
                List.of(back.dealer(), back.recipient(), back.keyId(), back.t()));
        assertPolyEquals(s.value(), back.value());

        Ciphertext ct = new Encryptor(CTX, TF.fed.key, SecretRandom.create())
                .encrypt(new Encoder(CTX).encode(new double[] {0.5, -0.25}, 1.0), 0);
        ActiveSet set = TF.threshold.activeSet(List.of(Federation.partyId(0), Federation.partyId(2)));
        ThresholdDecryptionShare[] shares = new ThresholdDecryptionShare[2];
        int k = 0;
        for (int i : new int[] {0, 2}) {
            ThresholdKeyShare restored = CODEC.decodeThresholdKeyShare(CODEC.encodeThresholdKeyShare(TF.shares.get(i)));
            assertEquals(TF.threshold, restored.threshold());
            assertPolyEquals(TF.shares.get(i).value(), restored.value());
            ThresholdShareHolder h = new ThresholdShareHolder(CTX, restored, TF.fed.key,
                    new org.medveil.he.multiparty.InMemoryDecryptionLedger(), TF.fed.flooding, 1, SecretRandom.create());
            shares[k++] = CODEC.decodeDecryptionShare(CODEC.encodeDecryptionShare(h.decryptionShare(ct, set)));
        }
        double[] v = TF.combiner().combine(ct, set, List.of(shares));
        assertEquals(0.5, v[0], 1e-9);
        assertEquals(-0.25, v[1], 1e-9);
    }

    @Test
    void corruptionAndWrongKindsAreRejected() {
        byte[] bytes = CODEC.encodeThresholdKeyShare(TF.shares.get(0));
        bytes[bytes.length / 2] ^= 4;
        assertThrows(WireFormatException.class, () -> CODEC.decodeThresholdKeyShare(bytes));
        byte[] ok = CODEC.encodeThresholdKeyShare(TF.shares.get(0));
        assertThrows(WireFormatException.class, () -> CODEC.decodeShamirShare(ok));
        assertThrows(WireFormatException.class, () -> CODEC.decodeDecryptionShare(ok));
    }
}
