package org.medveil.he.verify;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.medveil.he.ParameterMismatchException;
import org.medveil.he.SignatureRefusedException;
import org.medveil.he.UnverifiedAggregateException;
import org.medveil.he.UnverifiedAggregateException.Reason;
import org.medveil.he.ring.Modulus;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Digests;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.KeyId;

/**
 * Key-holder side of the aggregate check: "is this the sum of at least the minimum number of
 * signed contributions of this job, round and chunk?", answered without trusting the coordinator.
 *
 * <ol>
 * <li>{@link #challenge}: checks the list (job, round and chunk of every record, participant
 *     sites, no site twice, at least the minimum, every signature), then draws {@code k} distinct
 *     blocks uniformly at random with the holder's own {@link SecureRandom}.</li>
 * <li>The coordinator answers with each contribution's challenged blocks and Merkle paths
 *     ({@link ChallengeResponse#answer}).</li>
 * <li>{@link #verify}: each block must hash to its site's signed root, and at every coefficient
 *     of every challenged block, for c0 and c1 and every prime, the aggregate must equal the sum
 *     of the contributions modulo that prime.</li>
 * </ol>
 *
 * A coordinator that presents anything but the sum over a fraction f of the blocks passes with
 * probability at most (1 − f)^k ({@link #missProbability} gives the exact value). Thread-safe.
 */
public final class AggregateVerifier {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Default number of blocks a holder checks per request. */
    public static final int DEFAULT_SPOT_CHECKS = 64;

    private final HeContext context;
    private final KeyId keyId;
    private final ContributionVerifier signatures;
    private final Set<String> jobSites;
    private final int minContributions;
    private final int spotChecks;
    private final SecureRandom random;
    private final LinearSketch sketch;

    /** A verifier without sketch check (spot checks only). */
    public AggregateVerifier(HeContext context, KeyId keyId, ContributionVerifier signatures,
                             Collection<String> jobSites, int minContributions, int spotChecks, SecureRandom random) {
        this(context, keyId, signatures, jobSites, minContributions, spotChecks, random, null);
    }

    /**
     * @param jobSites         the sites taking part in the job; a contribution from any other is refused
     * @param minContributions the fewest signed contributions an aggregate may have
     * @param spotChecks       k, the blocks checked per request (capped at the number of blocks)
     * @param sketch           the job's secret sketch, or null; when set, every record must carry its
     *                         sketch and their sum must be the aggregate's sketch
     */
    public AggregateVerifier(HeContext context, KeyId keyId, ContributionVerifier signatures,
                             Collection<String> jobSites, int minContributions, int spotChecks, SecureRandom random,
                             LinearSketch sketch) {
        if (minContributions < 1) {
            throw new IllegalArgumentException("minimum contributions must be at least 1, got " + minContributions);
        }
        if (spotChecks < 1) {
            throw new IllegalArgumentException("spot checks must be at least 1, got " + spotChecks);
        }
        this.context = context;
        this.keyId = keyId;
        this.signatures = signatures;
        this.jobSites = Set.copyOf(jobSites);
        this.minContributions = minContributions;
        this.spotChecks = Math.min(spotChecks, CiphertextTree.blocks(context));
        this.random = random;
        this.sketch = sketch;
    }

    public KeyId keyId() {
        return keyId;
    }

    public int spotChecks() {
        return spotChecks;
    }

    public int minContributions() {
        return minContributions;
    }

    /** Checks the signed list and draws the blocks to open. No share depends on this alone. */
    public Challenge challenge(DecryptionRequest request) {
        checkAggregate(request);
        Set<String> seen = new TreeSet<>();
        for (SignedContribution c : request.contributions()) {
            ContributionRecord r = c.record();
            if (!r.jobId().equals(request.jobId()) || r.round() != request.round() || r.chunk() != request.chunk()) {
                throw new UnverifiedAggregateException(Reason.WRONG_ROUND, r.site(), -1, "the contribution of site "
                        + r.site() + " is signed for job " + r.jobId() + ", round " + r.round() + ", chunk " + r.chunk()
                        + ", but the request is for job " + request.jobId() + ", round " + request.round() + ", chunk "
                        + request.chunk() + "; contributions cannot be reused across jobs, rounds or chunks");
            }
            if (!jobSites.contains(r.site())) {
                throw new UnverifiedAggregateException(Reason.UNKNOWN_SITE, r.site(), -1, "site " + r.site()
                        + " is not a participant of job " + request.jobId() + "; its contribution is refused");
            }
            if (!seen.add(r.site())) {
                throw new UnverifiedAggregateException(Reason.DUPLICATE_SITE, r.site(), -1, "site " + r.site()
                        + " is listed twice for chunk " + request.chunk() + "; each site contributes once per round");
            }
        }
        if (seen.size() < minContributions) {
            throw new UnverifiedAggregateException(Reason.TOO_FEW, null, -1, "chunk " + request.chunk() + " of round "
                    + request.round() + " lists " + seen.size() + " signed contribution(s), fewer than the "
                    + minContributions + " this key holder requires; a lone update is never decrypted");
        }
        for (SignedContribution c : request.contributions()) {
            String site = c.record().site();
            try {
                signatures.verify(site, c.record().canonicalBytes(), c.signature(), c.credential());
            } catch (SignatureRefusedException e) {
                Reason reason = e.reason() == SignatureRefusedException.Reason.BAD_SIGNATURE
                        ? Reason.BAD_SIGNATURE : Reason.UNKNOWN_SITE;
                throw new UnverifiedAggregateException(reason, site, "the contribution of site " + site + " to chunk "
                        + request.chunk() + " of round " + request.round() + " is refused: " + e.getMessage(), e);
            }
        }
        if (sketch != null) {
            checkSketch(request);
        }
        return new Challenge(request.jobId(), request.round(), request.chunk(), requestDigest(request), drawBlocks());
    }

    /** Before any position is revealed: the aggregate's sketch must be the sum of the signed ones. */
    private void checkSketch(DecryptionRequest request) {
        int size = LinearSketch.size(context);
        List<long[]> signed = new ArrayList<>();
        for (SignedContribution c : request.contributions()) {
            long[] s = c.record().sketch();
            if (s.length != size) {
                throw new UnverifiedAggregateException(Reason.SKETCH_MISMATCH, c.record().site(), -1, "the contribution"
                        + " of site " + c.record().site() + " carries no sketch (" + s.length + " values, " + size
                        + " expected) but this job checks sketches; the site must sign its sketch");
            }
            signed.add(s);
        }
        long[] expected = LinearSketch.sum(context, signed);
        long[] actual = sketch.of(request.jobId(), request.round(), request.chunk(), request.aggregate());
        if (!Arrays.equals(expected, actual)) {
            throw new UnverifiedAggregateException(Reason.SKETCH_MISMATCH, null, -1, "the aggregate of chunk "
                    + request.chunk() + " of round " + request.round() + " is not the sum of its signed contributions"
                    + " (secret sketch differs); the coordinator altered it");
        }
    }

    /** Checks the coordinator's answer; returns the aggregate only when every check passes. */
    public VerifiedAggregate verify(DecryptionRequest request, Challenge challenge, ChallengeResponse response) {
        checkAggregate(request);
        String where = "chunk " + request.chunk() + " of round " + request.round();
        if (!challenge.jobId().equals(request.jobId()) || challenge.round() != request.round()
                || challenge.chunk() != request.chunk() || !MessageDigest.isEqual(challenge.requestDigest(), requestDigest(request))) {
            throw new UnverifiedAggregateException(Reason.MALFORMED_RESPONSE, null, -1, "the aggregate or the list of "
                    + where + " changed after the challenge was issued; the holder checks only what it challenged");
        }
        if (!response.jobId().equals(request.jobId()) || response.round() != request.round()
                || response.chunk() != request.chunk()) {
            throw new UnverifiedAggregateException(Reason.WRONG_ROUND, null, -1, "the response is for job "
                    + response.jobId() + ", round " + response.round() + ", chunk " + response.chunk() + ", not " + where);
        }
        Map<String, ContributionOpening> bySite = new HashMap<>();
        for (ContributionOpening o : response.openings()) {
            if (bySite.put(o.site(), o) != null) {
                throw new UnverifiedAggregateException(Reason.MALFORMED_RESPONSE, o.site(), -1,
                        "the response opens site " + o.site() + " twice for " + where);
            }
        }
        List<ContributionOpening> ordered = new ArrayList<>();
        List<byte[]> roots = new ArrayList<>();
        for (SignedContribution c : request.contributions()) {
            ContributionOpening o = bySite.remove(c.record().site());
            if (o == null) {
                throw new UnverifiedAggregateException(Reason.MALFORMED_RESPONSE, c.record().site(), -1,
                        "the response has no opening for site " + c.record().site() + " in " + where);
            }
            ordered.add(o);
            roots.add(c.record().digest());
        }
        if (!bySite.isEmpty()) {
            String extra = bySite.keySet().iterator().next();
            throw new UnverifiedAggregateException(Reason.MALFORMED_RESPONSE, extra, -1,
                    "the response opens site " + extra + ", which is not in the list of " + where);
        }
        checkProofs(request, challenge, ordered, roots, where);
        checkHeader(request, ordered, where);
        checkSums(request, challenge, ordered, where);
        List<String> sites = new ArrayList<>(new TreeSet<>(ordered.stream().map(ContributionOpening::site).toList()));
        return new VerifiedAggregate(request.jobId(), request.round(), request.chunk(), request.aggregate(), sites);
    }

    /**
     * Exact probability that k distinct random blocks out of {@code blocks} all miss {@code tampered}
     * tampered blocks: C(M − t, k) / C(M, k). At most (1 − t/M)^k.
     */
    public static double missProbability(int blocks, int checks, int tampered) {
        if (tampered < 0 || tampered > blocks || checks < 0) {
            throw new IllegalArgumentException("need 0 <= tampered <= blocks and checks >= 0");
        }
        int k = Math.min(checks, blocks);
        double p = 1.0;
        for (int i = 0; i < k; i++) {
            p *= (double) (blocks - tampered - i) / (blocks - i);
            if (p <= 0) {
                return 0.0;
            }
        }
        return p;
    }

    private void checkAggregate(DecryptionRequest request) {
        Ciphertext agg = request.aggregate();
        context.requireSameParams(agg.paramsFingerprint(), "aggregate chunk " + request.chunk());
        if (!agg.keyId().equals(keyId)) {
            throw new ParameterMismatchException("aggregate chunk " + request.chunk() + " is under key " + agg.keyId()
                    + ", but this holder checks aggregates under key " + keyId);
        }
        if (agg.chunk() != request.chunk()) {
            throw new UnverifiedAggregateException(Reason.WRONG_ROUND, null, -1, "the aggregate is chunk " + agg.chunk()
                    + " but the request names chunk " + request.chunk());
        }
    }

    private int[] drawBlocks() {
        int blocks = CiphertextTree.blocks(context);
        int[] all = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            all[i] = i;
        }
        for (int i = 0; i < spotChecks; i++) { // partial Fisher-Yates: the first k entries are a uniform k-subset
            int j = i + random.nextInt(blocks - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = Arrays.copyOf(all, spotChecks);
        Arrays.sort(chosen);
        return chosen;
    }

    private void checkProofs(DecryptionRequest request, Challenge challenge, List<ContributionOpening> openings,
                             List<byte[]> roots, String where) {
        MessageDigest md = Digests.sha256();
        Ring ring = context.ring();
        int n = context.n();
        for (int c = 0; c < openings.size(); c++) {
            ContributionOpening o = openings.get(c);
            if (o.blocks().size() != challenge.blockCount() || o.valueCount() < 0 || o.valueCount() > n
                    || !(o.bound() > 0) || o.bound() > context.params().maxSum()) {
                throw new UnverifiedAggregateException(Reason.MALFORMED_RESPONSE, o.site(), -1, "the opening of site "
                        + o.site() + " in " + where + " has " + o.blocks().size() + " blocks for " + challenge.blockCount()
                        + " challenged, or an impossible header");
            }
            for (int i = 0; i < challenge.blockCount(); i++) {
                BlockOpening b = o.blocks().get(i);
                if (b.block() != challenge.block(i)) {
                    throw new UnverifiedAggregateException(Reason.MALFORMED_RESPONSE, o.site(), -1, "site " + o.site()
                            + " opened block " + b.block() + " where block " + challenge.block(i) + " was challenged");
                }
                checkResidues(ring, o.site(), b, where);
                byte[] root;
                try {
                    root = CiphertextTree.rootOf(context, keyId, request.chunk(), o.valueCount(), o.bound(), b, md);
                } catch (IllegalArgumentException e) {
                    throw new UnverifiedAggregateException(Reason.MALFORMED_RESPONSE, o.site(), -1, "block "
                            + b.block() + " of site " + o.site() + " in " + where + ": " + e.getMessage());
                }
                if (!CiphertextTree.sameRoot(root, roots.get(c))) {
                    throw new UnverifiedAggregateException(Reason.PROOF_INVALID, o.site(), b.block() * CiphertextTree.BLOCK,
                            "block " + b.block() + " of site " + o.site() + " in " + where
                                    + " does not lead to the root the site signed; the coordinator altered it or its path");
                }
            }
        }
    }

    private static void checkResidues(Ring ring, String site, BlockOpening b, String where) {
        int primes = ring.primes();
        for (int p = 0; p < 2; p++) {
            for (int l = 0; l < primes; l++) {
                long q = ring.modulus(l).value();
                for (int j = 0; j < CiphertextTree.BLOCK; j++) {
                    long v = b.residue((p * primes + l) * CiphertextTree.BLOCK + j);
                    if (v < 0 || v >= q) {
                        throw new UnverifiedAggregateException(Reason.MALFORMED_RESPONSE, site, -1, "block " + b.block()
                                + " of site " + site + " in " + where + " carries a residue outside [0, q)");
                    }
                }
            }
        }
    }

    private void checkHeader(DecryptionRequest request, List<ContributionOpening> openings, String where) {
        int valueCount = 0;
        double bound = 0;
        for (ContributionOpening o : openings) {
            valueCount = Math.max(valueCount, o.valueCount());
            bound += o.bound();
        }
        Ciphertext agg = request.aggregate();
        // the bound is a double sum; the coordinator may have added in another order
        if (agg.valueCount() != valueCount || Math.abs(agg.bound() - bound) > 1e-9 * bound) {
            throw new UnverifiedAggregateException(Reason.HEADER_MISMATCH, null, -1, "the aggregate of " + where
                    + " declares " + agg.valueCount() + " values with bound " + agg.bound() + ", but its signed"
                    + " contributions add up to " + valueCount + " values with bound " + bound);
        }
    }

    private void checkSums(DecryptionRequest request, Challenge challenge, List<ContributionOpening> openings,
                           String where) {
        Ring ring = context.ring();
        int primes = ring.primes();
        Poly[] agg = {request.aggregate().c0(), request.aggregate().c1()};
        for (int i = 0; i < challenge.blockCount(); i++) {
            int block = challenge.block(i);
            for (int p = 0; p < 2; p++) {
                for (int l = 0; l < primes; l++) {
                    Modulus mod = ring.modulus(l);
                    long q = mod.value();
                    long[] aggResidues = agg[p].at(l);
                    int offset = (p * primes + l) * CiphertextTree.BLOCK;
                    for (int j = 0; j < CiphertextTree.BLOCK; j++) {
                        long sum = 0;
                        for (ContributionOpening o : openings) {
                            sum += o.blocks().get(i).residue(offset + j); // both < q < 2^61: no overflow
                            if (sum >= q) {
                                sum -= q;
                            }
                        }
                        int position = block * CiphertextTree.BLOCK + j;
                        if (sum != aggResidues[position]) {
                            throw new UnverifiedAggregateException(Reason.SUM_MISMATCH, null, position, "at coefficient "
                                    + position + " (" + (p == 0 ? "c0" : "c1") + ", prime " + l + ") of " + where
                                    + " the aggregate is not the sum of its " + openings.size() + " signed contributions;"
                                    + " the coordinator presented something else");
                        }
                    }
                }
            }
        }
    }

    /** Binds a challenge to the aggregate (all of c0, c1 and header) and the exact signed list. */
    public static byte[] requestDigest(DecryptionRequest request) {
        MessageDigest md = Digests.sha256();
        Ciphertext agg = request.aggregate();
        md.update(new CanonicalBytes("MVRQ", 1).text(request.jobId()).u64(request.round()).u32(request.chunk())
                .text(agg.paramsFingerprint()).text(agg.keyId().hex()).u32(agg.valueCount())
                .u64(Double.doubleToLongBits(agg.bound())).u32(request.contributions().size()).toByteArray());
        for (SignedContribution c : request.contributions()) {
            md.update(new CanonicalBytes("MVRC", 1).bytes(c.record().canonicalBytes()).bytes(c.signature()).toByteArray());
        }
        byte[] block = new byte[8 * agg.c0().degree()];
        for (Poly poly : List.of(agg.c0(), agg.c1())) {
            for (int l = 0; l < poly.primes(); l++) {
                long[] r = poly.at(l);
                for (int j = 0; j < r.length; j++) {
                    LONGS.set(block, 8 * j, r[j]);
                }
                md.update(block);
            }
        }
        return md.digest();
    }
}
