package org.medveil.he;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.medveil.he.multiparty.CollectiveKeyGenerator;
import org.medveil.he.multiparty.DecryptionCombiner;
import org.medveil.he.multiparty.DecryptionLedger;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.InMemoryDecryptionLedger;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.multiparty.KeyShareHolder;
import org.medveil.he.multiparty.PublicKeyShare;
import org.medveil.he.multiparty.SeedAgreement;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.PublicKey;

/**
 * Test fixture: K parties run the full key setup (commit–reveal seed, shares, collective key);
 * flooding is the job default for K holders and up to K contributions.
 */
public final class Federation {

    public final HeContext context;
    public final List<KeyShare> secrets = new ArrayList<>();
    public final PublicKey key;
    public final FloodingNoise flooding;

    public Federation(HeContext context, int parties) {
        this.context = context;
        SecureRandom random = new SecureRandom();
        List<SeedAgreement.Contribution> contributions = new ArrayList<>();
        for (int i = 0; i < parties; i++) {
            contributions.add(SeedAgreement.contribute(partyId(i), random));
        }
        byte[] seed = SeedAgreement.combine(
                contributions.stream().map(SeedAgreement.Contribution::commitment).toList(),
                contributions.stream().map(SeedAgreement.Contribution::reveal).toList());
        CollectiveKeyGenerator ckg = new CollectiveKeyGenerator(context, seed);
        List<PublicKeyShare> shares = new ArrayList<>();
        SecretRandom secret = SecretRandom.create();
        for (int i = 0; i < parties; i++) {
            KeyShare s = KeyShare.generate(context, partyId(i), secret);
            secrets.add(s);
            shares.add(ckg.share(s, secret));
        }
        this.key = ckg.combine(shares);
        this.flooding = FloodingNoise.forJob(context, parties, parties);
    }

    public static String partyId(int i) {
        return String.format("site-%03d", i);
    }

    public KeyShareHolder holder(int i, DecryptionLedger ledger) {
        return new KeyShareHolder(context, secrets.get(i), key, ledger, flooding, 1, SecretRandom.create());
    }

    public List<KeyShareHolder> holders() {
        List<KeyShareHolder> out = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            out.add(holder(i, new InMemoryDecryptionLedger()));
        }
        return out;
    }

    public DecryptionCombiner combiner() {
        return new DecryptionCombiner(context, key, flooding);
    }
}
