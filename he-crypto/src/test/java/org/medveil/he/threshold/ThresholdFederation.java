package org.medveil.he.threshold;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.medveil.he.Federation;
import org.medveil.he.multiparty.InMemoryDecryptionLedger;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.wire.ThresholdWireCodec;

/**
 * Test fixture: an N-party federation that runs the threshold setup the way sites will — every
 * dealer's Shamir shares are serialized, sealed to the recipient's P-256 kit key, relayed, opened
 * and summed.
 */
final class ThresholdFederation {

    static final String JOB = "job-42";

    final Federation fed;
    final Threshold threshold;
    final List<KeyPair> kitKeys = new ArrayList<>();
    final List<ThresholdKeyShare> shares = new ArrayList<>();

    ThresholdFederation(HeContext ctx, int n, int t) {
        this.fed = new Federation(ctx, n);
        this.threshold = Threshold.of(fed.key, t);
        for (int i = 0; i < n; i++) {
            kitKeys.add(p256());
        }
        Thresholdizer thresholdizer = new Thresholdizer(ctx, threshold);
        ThresholdWireCodec codec = new ThresholdWireCodec(ctx);
        ShareSealer sealer = new EcdhShareSealer();
        List<Thresholdizer.Collector> collectors = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            collectors.add(thresholdizer.collector(Federation.partyId(j)));
        }
        SecretRandom random = SecretRandom.create();
        for (int i = 0; i < n; i++) {
            Thresholdizer.Dealing dealing = thresholdizer.deal(fed.secrets.get(i), random);
            for (int j = 0; j < n; j++) {
                SealLabel label = new SealLabel(JOB, Federation.partyId(i), Federation.partyId(j));
                byte[] sealed = sealer.seal(label, kitKeys.get(j).getPublic(),
                        codec.encodeShamirShare(dealing.shareFor(Federation.partyId(j))));
                // ... through the coordinator ...
                byte[] opened = new EcdhShareOpener(kitKeys.get(j)).open(label, sealed);
                collectors.get(j).add(codec.decodeShamirShare(opened));
            }
            dealing.destroy();
        }
        for (Thresholdizer.Collector c : collectors) {
            shares.add(c.finish());
        }
    }

    static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    ThresholdShareHolder holder(int i) {
        return new ThresholdShareHolder(fed.context, shares.get(i), fed.key, new InMemoryDecryptionLedger(), fed.flooding,
                1, SecretRandom.create());
    }

    ThresholdCombiner combiner() {
        return new ThresholdCombiner(fed.context, fed.key, threshold, fed.flooding);
    }
}
