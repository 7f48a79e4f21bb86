package org.medveil.he.verify;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
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
import java.util.concurrent.ConcurrentHashMap;
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
 * <li>{@link #challenge}: checks the list (job and round of every site's signed statement, that
 *     its records are the ones it covers, the chunk's record, participant sites, no site twice,
 *     at least the minimum, every statement's signature — once per statement), then draws {@code k} distinct
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
    /** Ids of statements whose signature verified ({@link SignedStatement#id()}). */
    private final Set<ByteBuffer> verified = ConcurrentHashMap.newKeySet();
    private static final int MAX_REMEMBERED = 1 << 14;

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

    /**
     * Checks the list and draws the blocks to open. No share depends on this alone. Per listed
     * site: its statement is for this job and round, its site takes part in the job and appears
     * once, its records are the ones the statement covers (digest and count), the record at index
     * {@code chunk} is this chunk's record of that site, and the statement's signature verifies —
     * checked once per statement: a holder asked for C sites × R chunks verifies C signatures.
     */
    public Challenge challenge(DecryptionRequest request) {
        checkAggregate(request);
        Set<String> seen = new TreeSet<>();
        for (SiteContribution c : request.contributions()) {
            ContributionStatement s = c.statement();
            String site = s.site();
            if (!s.jobId().equals(request.jobId()) || s.round() != request.round()) {
                throw new UnverifiedAggregateException(Reason.WRONG_ROUND, site, -1, "the statement of site " + site
                        + " is signed for job " + s.jobId() + ", round " + s.round() + ", but the request is for job "
                        + request.jobId() + ", round " + request.round()
                        + "; contributions cannot be reused across jobs or rounds");
            }
            if (!jobSites.contains(site)) {
                throw new UnverifiedAggregateException(Reason.UNKNOWN_SITE, site, -1, "site " + site
                        + " is not a participant of job " + request.jobId() + "; its contribution is refused");
            }
            if (!seen.add(site)) {
                throw new UnverifiedAggregateException(Reason.DUPLICATE_SITE, site, -1, "site " + site
                        + " is listed twice for chunk " + request.chunk() + "; each site contributes once per round");
            }
            String problem = c.coverageProblem();
            if (problem != null) {
                throw new UnverifiedAggregateException(Reason.NOT_COVERED, site, -1, problem + " (chunk "
                        + request.chunk() + " of round " + request.round() + "); the coordinator altered or swapped them");
            }
            if (request.chunk() >= c.records().size()) {
                throw new UnverifiedAggregateException(Reason.WRONG_ROUND, site, -1, "site " + site + " stated "
                        + c.records().size() + " chunks; it has no chunk " + request.chunk());
            }
            ContributionRecord r = c.records().get(request.chunk());
            if (!r.jobId().equals(request.jobId()) || r.round() != request.round() || r.chunk() != request.chunk()
                    || !r.site().equals(site)) {
                throw new UnverifiedAggregateException(Reason.WRONG_ROUND, site, -1, "the record listed for site " + site
                        + " at chunk " + request.chunk() + " is for job " + r.jobId() + ", round " + r.round() + ", chunk "
                        + r.chunk() + ", site " + r.site() + "; records cannot be moved across jobs, rounds, chunks or sites");
            }
        }
        if (seen.size() < minContributions) {
            throw new UnverifiedAggregateException(Reason.TOO_FEW, null, -1, "chunk " + request.chunk() + " of round "
                    + request.round() + " lists " + seen.size() + " signed contribution(s), fewer than the "
                    + minContributions + " this key holder requires; a lone update is never decrypted");
        }
        for (SiteContribution c : request.contributions()) {
            checkSignature(c.signed(), request);
        }
        if (sketch != null) {
            checkSketch(request);
        }
        return new Challenge(request.jobId(), request.round(), request.chunk(), requestDigest(request), drawBlocks());
    }

    /** One ECDSA verification per distinct signed statement; later chunks of the round find it in {@code verified}. */
    private void checkSignature(SignedStatement signed, DecryptionRequest request) {
        ByteBuffer id = ByteBuffer.wrap(signed.id());
        if (verified.contains(id)) {
            return;
        }
        String site = signed.site();
        try {
            signatures.verify(site, signed.signedBytes(), signed.signature(), signed.credential());
        } catch (SignatureRefusedException e) {
            Reason reason = e.reason() == SignatureRefusedException.Reason.BAD_SIGNATURE
                    ? Reason.BAD_SIGNATURE : Reason.UNKNOWN_SITE;
            throw new UnverifiedAggregateException(reason, site, "the statement of site " + site + " for round "
                    + request.round() + " is refused: " + e.getMessage(), e);
        }
        if (verified.size() >= MAX_REMEMBERED) {
            verified.clear(); // bounded memory; a cleared statement is simply verified again
        }
        verified.add(id);
    }

    /** Before any position is revealed: the aggregate's sketch must be the sum of the signed ones. */
    private void checkSketch(DecryptionRequest request) {
        int size = LinearSketch.size(context);
        List<long[]> signed = new ArrayList<>();
        for (SiteContribution c : request.contributions()) {
            long[] s = c.records().get(request.chunk()).sketch();
            if (s.length != size) {
                throw new UnverifiedAggregateException(Reason.SKETCH_MISMATCH, c.site(), -1, "the contribution"
                        + " of site " + c.site() + " carries no sketch (" + s.length + " values, " + size
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
        for (SiteContribution c : request.contributions()) {
            ContributionOpening o = bySite.remove(c.site());
            if (o == null) {
                throw new UnverifiedAggregateException(Reason.MALFORMED_RESPONSE, c.site(), -1,
                        "the response has no opening for site " + c.site() + " in " + where);
            }
            ordered.add(o);
            roots.add(c.records().get(request.chunk()).digest());
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
        for (SiteContribution c : request.contributions()) {
            // the statement covers every record; this chunk's record is added so the digest names it directly
            ContributionRecord r = request.chunk() < c.records().size() ? c.records().get(request.chunk()) : null;
            md.update(new CanonicalBytes("MVRS", 1).bytes(c.signed().signedBytes()).bytes(c.signed().signature())
                    .bytes(c.recordsDigest()).bytes(r == null ? new byte[0] : r.canonicalBytes()).toByteArray());
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
