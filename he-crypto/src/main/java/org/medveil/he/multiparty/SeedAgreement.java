package org.medveil.he.multiparty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.medveil.he.SeedAgreementException;
import org.medveil.he.ring.Prng;
import org.medveil.he.rlwe.Digests;

/**
 * Commit–reveal agreement on the 32-byte seed of the common random polynomial, so that no single
 * party picks it: every party first publishes H(party, nonce), and only after all commitments
 * are in does anyone reveal a nonce. The seed is H(all (party, nonce) pairs in party order), so
 * it is uniform as long as one party's nonce is.
 */
public final class SeedAgreement {

    /** What a party publishes first. */
    public record Commitment(String partyId, String digestHex) {
    }

    /** What a party publishes once every commitment is in. */
    public record Reveal(String partyId, String nonceHex) {
    }

    /** A party's own contribution: keep the reveal secret until all commitments are collected. */
    public record Contribution(Commitment commitment, Reveal reveal) {
    }

    private SeedAgreement() {
    }

    public static Contribution contribute(String partyId, SecureRandom random) {
        byte[] nonce = new byte[Prng.SEED_BYTES];
        random.nextBytes(nonce);
        String nonceHex = HexFormat.of().formatHex(nonce);
        return new Contribution(new Commitment(partyId, commitmentOf(partyId, nonceHex)), new Reveal(partyId, nonceHex));
    }

    /** Checks every reveal against its commitment and derives the common seed. */
    public static byte[] combine(Collection<Commitment> commitments, Collection<Reveal> reveals) {
        Map<String, String> committed = new TreeMap<>();
        for (Commitment c : commitments) {
            if (committed.put(c.partyId(), c.digestHex()) != null) {
                throw new SeedAgreementException("party " + c.partyId() + " committed twice; restart the key setup");
            }
        }
        if (committed.isEmpty()) {
            throw new SeedAgreementException("no seed commitments were collected; every key holder must commit");
        }
        Map<String, String> revealed = new TreeMap<>();
        for (Reveal r : reveals) {
            if (!committed.containsKey(r.partyId())) {
                throw new SeedAgreementException("party " + r.partyId() + " revealed a nonce without committing first");
            }
            if (revealed.put(r.partyId(), r.nonceHex()) != null) {
                throw new SeedAgreementException("party " + r.partyId() + " revealed twice; restart the key setup");
            }
            if (!commitmentOf(r.partyId(), r.nonceHex()).equals(committed.get(r.partyId()))) {
                throw new SeedAgreementException("the nonce revealed by party " + r.partyId()
                        + " does not match its commitment; exclude that party and restart the key setup");
            }
        }
        for (String party : committed.keySet()) {
            if (!revealed.containsKey(party)) {
                throw new SeedAgreementException("party " + party + " committed but has not revealed its nonce;"
                        + " wait for it or restart the key setup without it");
            }
        }
        MessageDigest md = Digests.sha256();
        md.update("medveil-he/seed/v1".getBytes(StandardCharsets.US_ASCII));
        revealed.forEach((party, nonce) -> {
            md.update(party.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(HexFormat.of().parseHex(nonce));
        });
        return md.digest();
    }

    private static String commitmentOf(String partyId, String nonceHex) {
        byte[] nonce;
        try {
            nonce = HexFormat.of().parseHex(nonceHex);
        } catch (IllegalArgumentException e) {
            throw new SeedAgreementException("party " + partyId + " revealed a nonce that is not hex");
        }
        MessageDigest md = Digests.sha256();
        md.update("medveil-he/seed-commit/v1".getBytes(StandardCharsets.US_ASCII));
        md.update(partyId.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(nonce);
        return HexFormat.of().formatHex(md.digest());
    }
}
