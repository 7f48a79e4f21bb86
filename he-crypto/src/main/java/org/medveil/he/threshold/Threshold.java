package org.medveil.he.threshold;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.medveil.he.InvalidShareException;
import org.medveil.he.MissingShareException;
import org.medveil.he.ring.Modulus;
import org.medveil.he.ring.Ring;
import org.medveil.he.rlwe.Digests;
import org.medveil.he.rlwe.KeyId;
import org.medveil.he.rlwe.PublicKey;

/**
 * A t-of-N access structure over the N holders of one collective key: any t of them can decrypt,
 * t − 1 cannot. Holder j (in the key's sorted party order, from 0) has the public Shamir
 * evaluation point α_j = j + 1; the points are distinct, non-zero and smaller than every prime,
 * so all their differences are invertible modulo Q. t is a job parameter; the default is
 * ⌈2N/3⌉ (README "Threshold decryption").
 *
 * @param keyId   the collective key the shares belong to
 * @param t       how many holders must answer
 * @param parties the key's holders, sorted
 */
public record Threshold(KeyId keyId, int t, List<String> parties) {

    /** Evaluation points must stay below every prime; far beyond any federation. */
    public static final int MAX_PARTIES = 1 << 16;

    public Threshold {
        parties = List.copyOf(new TreeSet<>(parties));
        if (parties.isEmpty() || parties.size() > MAX_PARTIES) {
            throw new IllegalArgumentException("a threshold key needs 1 to " + MAX_PARTIES + " holders, got " + parties.size());
        }
        if (t < 1 || t > parties.size()) {
            throw new IllegalArgumentException("threshold t = " + t + " must be between 1 and the number of key holders "
                    + parties.size());
        }
    }

    /** t-of-N over the holders of {@code key}. */
    public static Threshold of(PublicKey key, int t) {
        return new Threshold(key.keyId(), t, key.parties());
    }

    /** The default threshold ⌈2N/3⌉ over the holders of {@code key}. */
    public static Threshold defaultFor(PublicKey key) {
        return of(key, defaultT(key.parties().size()));
    }

    /** ⌈2N/3⌉: survives the loss of a third of the holders; fewer than two thirds cannot decrypt. */
    public static int defaultT(int n) {
        return (2 * n + 2) / 3;
    }

    public int n() {
        return parties.size();
    }

    /** α_j = j + 1 for the j-th holder in sorted order. */
    public long point(String party) {
        int i = parties.indexOf(party);
        if (i < 0) {
            throw new InvalidShareException("party " + party + " holds no share of key " + keyId + "; its holders are "
                    + parties);
        }
        return i + 1L;
    }

    /**
     * The coordinator's choice of who decrypts: the first t responsive holders in sorted order.
     * Fewer than t responsive → {@link MissingShareException} naming the holders that did not answer.
     */
    public ActiveSet choose(Collection<String> responsive) {
        TreeSet<String> up = new TreeSet<>();
        for (String p : responsive) {
            point(p); // refuses strangers
            up.add(p);
        }
        if (up.size() < t) {
            TreeSet<String> missing = new TreeSet<>(parties);
            missing.removeAll(up);
            throw new MissingShareException(String.format(Locale.ROOT,
                    "threshold decryption needs %d of the %d key holders but only %d answered; not answering: %s",
                    t, n(), up.size(), List.copyOf(missing)));
        }
        return activeSet(new ArrayList<>(up).subList(0, t));
    }

    /**
     * Validates an active set: members are holders of this key, and at least t of them. A set
     * of fewer than t is refused with {@link MissingShareException} naming the holders outside it.
     */
    public ActiveSet activeSet(Collection<String> members) {
        TreeSet<String> sorted = new TreeSet<>();
        for (String m : members) {
            point(m);
            if (!sorted.add(m)) {
                throw new InvalidShareException("party " + m + " appears twice in the active set");
            }
        }
        if (sorted.size() < t) {
            TreeSet<String> missing = new TreeSet<>(parties);
            missing.removeAll(sorted);
            throw new MissingShareException(String.format(Locale.ROOT,
                    "an active set of %d holders cannot decrypt under a %d-of-%d key; %d more of %s must answer",
                    sorted.size(), t, n(), t - sorted.size(), List.copyOf(missing)));
        }
        List<String> list = List.copyOf(sorted);
        return new ActiveSet(keyId, t, list, digest(list));
    }

    /** Checks that a set received from the coordinator is one this threshold would have formed. */
    public ActiveSet requireValid(ActiveSet set) {
        if (!set.keyId().equals(keyId) || set.t() != t) {
            throw new InvalidShareException("active set is for key " + set.keyId() + " with t = " + set.t()
                    + ", but this holder's share is for key " + keyId + " with t = " + t);
        }
        ActiveSet checked = activeSet(set.members());
        if (!checked.digest().equals(set.digest())) {
            throw new InvalidShareException("active set digest does not match its members; the request was altered");
        }
        return checked;
    }

    /**
     * The Lagrange coefficient of {@code party} for interpolating at 0 over the set, one residue
     * per prime: λ_j = Π_{k≠j} α_k / (α_k − α_j). Then s = Σ_{j∈T} λ_j·σ_j.
     */
    public long[] lagrange(ActiveSet set, String party, Ring ring) {
        long alphaJ = point(party);
        if (!set.members().contains(party)) {
            throw new InvalidShareException("party " + party + " is not in the active set " + set.members());
        }
        long[] out = new long[ring.primes()];
        for (int i = 0; i < ring.primes(); i++) {
            Modulus m = ring.modulus(i);
            long num = 1;
            long den = 1;
            for (String other : set.members()) {
                if (other.equals(party)) {
                    continue;
                }
                long alphaK = point(other);
                num = m.mul(num, alphaK);
                den = m.mul(den, m.fromSigned(alphaK - alphaJ));
            }
            out[i] = m.mul(num, m.inv(den));
        }
        return out;
    }

    private String digest(List<String> members) {
        MessageDigest md = Digests.sha256();
        md.update("medveil-he/active-set/v1".getBytes(StandardCharsets.US_ASCII));
        md.update(keyId.bytes());
        md.update(Integer.toString(t).getBytes(StandardCharsets.US_ASCII));
        for (String m : members) {
            md.update((byte) 0);
            md.update(m.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
