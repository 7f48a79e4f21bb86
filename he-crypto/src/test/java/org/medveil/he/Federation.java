package org.medveil.he;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.medveil.he.multiparty.CollectiveKeyGenerator;
import org.medveil.he.multiparty.DecryptionLedger;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.InMemoryDecryptionLedger;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.multiparty.KeyShareHolder;
import org.medveil.he.multiparty.PublicKeyShare;
import org.medveil.he.multiparty.SeedAgreement;
import org.medveil.he.ring.Prng;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.PublicKey;

/** Test fixture: K parties run the full key setup (commit–reveal seed, shares, collective key). */
public final class Federation {

    public final HeContext context;
    public final List<KeyShare> secrets = new ArrayList<>();
    public final PublicKey key;

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
        Prng prng = Prng.secure();
        for (int i = 0; i < parties; i++) {
            KeyShare s = KeyShare.generate(context, partyId(i), prng);
            secrets.add(s);
            shares.add(ckg.share(s, prng));
        }
        this.key = ckg.combine(shares);
    }

    public static String partyId(int i) {
        return String.format("site-%03d", i);
    }

    public KeyShareHolder holder(int i, DecryptionLedger ledger) {
        return new KeyShareHolder(context, secrets.get(i), key, ledger, FloodingNoise.DEFAULT, 1, Prng.secure());
    }

    public List<KeyShareHolder> holders() {
        List<KeyShareHolder> out = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            out.add(holder(i, new InMemoryDecryptionLedger()));
        }
        return out;
    }
}
