package org.medveil.coordinator.rounds;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.medveil.he.HeException;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.KeySetup;
import org.medveil.he.multiparty.SeedAgreement;
import org.medveil.he.multiparty.StreamingAccumulator;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.threshold.ActiveSet;
import org.medveil.he.threshold.Threshold;
import org.medveil.he.threshold.ThresholdCombiner;
import org.medveil.he.threshold.ThresholdDecryptionShare;
import org.medveil.he.verify.BlockOpening;
import org.medveil.he.verify.Challenge;
import org.medveil.he.verify.ChallengeResponse;
import org.medveil.he.verify.CiphertextTree;
import org.medveil.he.verify.ContributionOpening;
import org.medveil.he.verify.ContributionRecord;
import org.medveil.he.verify.ContributionVerifier;
import org.medveil.he.verify.ContributionStatement;
import org.medveil.he.verify.SignedStatement;
import org.medveil.he.wire.ThresholdWireCodec;
import org.medveil.he.wire.WireCodec;
import org.medveil.proto.rounds.BlockOpeningPart;
import org.medveil.proto.rounds.ChallengeAnswer;
import org.medveil.proto.rounds.ChallengeBlocks;
import org.medveil.proto.rounds.ChallengeMessage;
import org.medveil.proto.rounds.ChallengeResponsePart;
import org.medveil.proto.rounds.ContributionAnnouncement;
import org.medveil.proto.rounds.ContributionOpeningPart;
import org.medveil.proto.rounds.ContributionRef;
import org.medveil.proto.rounds.DecryptionRequestMessage;
import org.medveil.proto.rounds.HeMode;
import org.medveil.proto.rounds.KeySetupStart;
import org.medveil.proto.rounds.KeyShareCommit;
import org.medveil.proto.rounds.KeyShareCommits;
import org.medveil.proto.rounds.KeyShareReveal;
import org.medveil.proto.rounds.Metrics;
import org.medveil.proto.rounds.PublicKeyAnnouncement;
import org.medveil.proto.rounds.RoundResult;
import org.medveil.proto.rounds.RoundStart;
import org.medveil.proto.rounds.RoundsMessage;
import org.medveil.proto.rounds.RoundsMessage.BodyCase;
import org.medveil.proto.rounds.SealedShare;
import org.medveil.proto.rounds.SealedShares;
import org.medveil.proto.rounds.SeedCommit;
import org.medveil.proto.rounds.SeedCommitments;
import org.medveil.proto.rounds.SeedReveal;
import org.medveil.proto.rounds.SeedReveals;
import org.medveil.proto.rounds.StatementPart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one accepted job at the coordinator: the HE key setup (commit–reveal seed, committed
 * and signed public-key shares, the t-of-N dealing relayed sealed between sites), then each
 * round: publish the global model, add the sites' signed ciphertext chunks as their uploads are
 * announced, close at all sites or at the round timeout with at least {@code minSites}, have t
 * responsive key holders verify and decrypt the aggregate, divide by Σ samples, apply the
 * {@link ServerStrategy}, and publish the next model with aggregated metrics.
 *
 * <p>Transport-agnostic: messages go out through {@link SiteLinks} and come in through
 * {@link #onMessage}; bulk data are named objects in the {@link ObjectStore}. {@link #run}
 * blocks the calling thread for the whole job. The coordinator never holds a key share or the
 * job's sketch key: it cannot decrypt anything alone, and key holders only answer for aggregates
 * of enough signed contributions.
 */
public class JobRun {

    private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);

    /** Values per part of a plaintext update (the ciphertext chunk size of the smallest set). */
    public static final int PLAIN_VALUES_PER_PART = 4096;

    /** How often one round may run (under new numbers) when key holders drop during decryption. */
    public static final int RUNS_PER_ROUND = 3;

    private record Inbound(String site, RoundsMessage message) {
    }

    private final JobPlan plan;
    private final SiteLinks links;
    private final ObjectStore store;
    private final ContributionVerifier verifier;
    private final ServerStrategy strategy;
    private final RoundListener listener;
    private final BlockingQueue<Inbound> inbox = new LinkedBlockingQueue<>();
    private final Set<BodyCase> loggedUnexpected = new HashSet<>();
    private final List<RoundResult> results = new ArrayList<>();

    private HeContext context;
    private PublicKey publicKey;
    private Threshold threshold;
    private FloodingNoise flooding;

    public JobRun(JobPlan plan, SiteLinks links, ObjectStore store, ContributionVerifier verifier,
            ServerStrategy strategy, RoundListener listener) {
        this.plan = plan;
        this.links = links;
        this.store = store;
        this.verifier = verifier;
        this.strategy = strategy;
        this.listener = listener;
    }

    /** The transport calls this for every message a site of this job sends (any thread). */
    public void onMessage(String site, RoundsMessage message) {
        if (!plan.jobId().equals(message.getJobId()) || !plan.sites().contains(site)) {
            LOG.warn("dropped a {} message from {}: not a site of job {}", message.getBodyCase(), site, plan.jobId());
            return;
        }
        inbox.add(new Inbound(site, message));
    }

    public JobPlan plan() {
        return plan;
    }

    /** Round results so far, in order. */
    public synchronized List<RoundResult> results() {
        return List.copyOf(results);
    }

    /** Runs the key setup and every round; returns the final model. Throws {@link RoundFailedException} on a failed step. */
    public float[] run(float[] initial) {
        setupKeys();
        return runRounds(0, plan.rounds(), initial);
    }

    /**
     * Completes {@code count} rounds, the first under round number {@code first}. A round that
     * lost key holders during its decryption ({@link RoundFailedException#canRunAgain}) is
     * reported to the listener and run again from the same model under the next number — fresh
     * encryptions, never a second decryption of a spent (job, round, chunk) — at most
     * {@link #RUNS_PER_ROUND} times; any other failure ends the run.
     */
    public float[] runRounds(int first, int count, float[] model) {
        int number = first;
        for (int done = 0; done < count; done++) {
            for (int attempt = 1; ; attempt++) {
                try {
                    model = runRound(number++, model);
                    break;
                } catch (RoundFailedException e) {
                    if (!e.canRunAgain() || attempt >= RUNS_PER_ROUND) {
                        throw e;
                    }
                    listener.roundFailed(plan.jobId(), number - 1, e.getMessage());
                    LOG.warn("job {} round {} failed and runs again as round {}: {}", plan.jobId(), number - 1, number,
                            e.getMessage());
                }
            }
        }
        return model;
    }

    // ---------------------------------------------------------------- key setup

    /** Key setup; a plaintext job only checks that every site is ready. */
    public void setupKeys() {
        KeySetupStart.Builder start = KeySetupStart.newBuilder().addAllParties(plan.sites())
                .setMinContributions(plan.minSites()).setMaxContributions(plan.sites().size())
                .setValueBound(plan.valueBound());
        if (!plan.encrypted()) {
            broadcast(msg().setKeySetupStart(start.setHeMode(HeMode.HE_MODE_PLAINTEXT)));
            awaitAll(BodyCase.KEY_READY, -1, "key setup (plaintext job)");
            listener.keyReady(plan.jobId(), "", new byte[0]);
            return;
        }
        context = new HeContext(Params.byName(plan.heParams()));
        if (plan.valueBound() * plan.sites().size() > context.params().maxSum()) {
            throw new RoundFailedException("job " + plan.jobId() + ": " + plan.sites().size() + " sites × value bound "
                    + plan.valueBound() + " exceed the largest sum of HE set " + plan.heParams() + " ("
                    + context.params().maxSum() + "); lower the bound (fewer samples per site) or use a larger set");
        }
        broadcast(msg().setKeySetupStart(start.setHeMode(HeMode.HE_MODE_ENCRYPTED).setHeParams(plan.heParams())
                .setThreshold(plan.threshold())));
        Map<String, RoundsMessage> seedCommits = awaitAll(BodyCase.SEED_COMMIT, -1, "seed commitment");
        List<SeedCommit> commits = new ArrayList<>();
        seedCommits.forEach((site, m) -> commits.add(requireParty(site, m.getSeedCommit().getParty(), m.getSeedCommit())));
        broadcast(msg().setSeedCommitments(SeedCommitments.newBuilder().addAllCommitments(commits)));
        Map<String, RoundsMessage> seedReveals = awaitAll(BodyCase.SEED_REVEAL, -1, "seed reveal");
        List<SeedReveal> reveals = new ArrayList<>();
        seedReveals.forEach((site, m) -> reveals.add(requireParty(site, m.getSeedReveal().getParty(), m.getSeedReveal())));
        byte[] seed = SeedAgreement.combine(
                commits.stream().map(c -> new SeedAgreement.Commitment(c.getParty(), c.getDigestHex())).toList(),
                reveals.stream().map(r -> new SeedAgreement.Reveal(r.getParty(), r.getNonceHex())).toList());
        broadcast(msg().setSeedReveals(SeedReveals.newBuilder().addAllReveals(reveals)));

        Map<String, RoundsMessage> keyCommits = awaitAll(BodyCase.KEY_SHARE_COMMIT, -1, "key-share commitment");
        List<KeyShareCommit> kc = new ArrayList<>();
        keyCommits.forEach((site, m) -> kc.add(requireParty(site, m.getKeyShareCommit().getParty(), m.getKeyShareCommit())));
        broadcast(msg().setKeyShareCommits(KeyShareCommits.newBuilder().addAllCommitments(kc)));
        Map<String, RoundsMessage> keyReveals = awaitAll(BodyCase.KEY_SHARE_REVEAL, -1, "key-share reveal");
        List<KeyShareReveal> kr = new ArrayList<>();
        keyReveals.forEach((site, m) -> kr.add(requireParty(site, m.getKeyShareReveal().getParty(), m.getKeyShareReveal())));

        WireCodec codec = new WireCodec(context);
        KeySetup setup = new KeySetup(context, seed, plan.jobId(), plan.sites(), verifier);
        try {
            publicKey = setup.combine(kc.stream().map(JobRun::commitment).toList(),
                    kr.stream().map(r -> reveal(codec, r)).toList());
        } catch (HeException e) {
            throw new RoundFailedException("job " + plan.jobId() + ": the key shares do not combine: " + e.getMessage()
                    + "; restart the key setup", e);
        }
        broadcast(msg().setPublicKey(PublicKeyAnnouncement.newBuilder()
                .setPublicKey(ByteString.copyFrom(codec.encodePublicKey(publicKey)))
                .setKeyIdHex(publicKey.keyId().hex()).addAllCommitments(kc).addAllReveals(kr)));

        // the t-of-N dealing and the sketch-key parts, sealed site to site: relayed, never opened here
        Map<String, RoundsMessage> outgoing = awaitAll(BodyCase.SEALED_SHARES, -1, "sealed shares");
        Map<String, SealedShares.Builder> byRecipient = new TreeMap<>();
        plan.sites().forEach(s -> byRecipient.put(s, SealedShares.newBuilder()));
        outgoing.forEach((site, m) -> {
            for (SealedShare s : m.getSealedShares().getSharesList()) {
                if (!s.getFrom().equals(site) || !byRecipient.containsKey(s.getTo()) || s.getTo().equals(site)) {
                    throw new RoundFailedException("job " + plan.jobId() + ": site " + site
                            + " sent a sealed share from '" + s.getFrom() + "' to '" + s.getTo()
                            + "'; a site only deals to the other sites of the job — restart the key setup");
                }
                byRecipient.get(s.getTo()).addShares(s);
            }
        });
        byRecipient.forEach((site, shares) -> links.send(site, msg().setSealedShares(shares).build()));
        Map<String, RoundsMessage> ready = awaitAll(BodyCase.KEY_READY, -1, "key ready");
        ready.forEach((site, m) -> {
            if (!m.getKeyReady().getKeyIdHex().equals(publicKey.keyId().hex())) {
                throw new RoundFailedException("job " + plan.jobId() + ": site " + site + " confirmed key "
                        + m.getKeyReady().getKeyIdHex() + ", not " + publicKey.keyId().hex() + "; restart the key setup");
            }
        });
        useKey(publicKey);
        listener.keyReady(plan.jobId(), publicKey.keyId().hex(), codec.encodePublicKey(publicKey));
        LOG.info("job {}: collective key {} ready ({}-of-{})", plan.jobId(), publicKey.keyId().hex(), plan.threshold(),
                plan.sites().size());
    }

    /**
     * After a coordinator restart: continue with the key the sites already hold (from
     * {@link RoundListener#keyReady}) instead of a new key setup. A round that was in flight is
     * run again from its start with fresh encryptions; the key holders' ledgers refuse any chunk
     * of it that was already decrypted, so the round number must be a new one.
     */
    public void resumeWithKey(byte[] encodedPublicKey) {
        if (!plan.encrypted()) {
            return;
        }
        context = new HeContext(Params.byName(plan.heParams()));
        PublicKey key = new WireCodec(context).decodePublicKey(encodedPublicKey);
        if (!new TreeSet<>(key.parties()).equals(new TreeSet<>(plan.sites()))) {
            throw new RoundFailedException("job " + plan.jobId() + ": the stored key belongs to parties " + key.parties()
                    + ", not to the job's sites " + plan.sites() + "; run a new key setup");
        }
        useKey(key);
    }

    private void useKey(PublicKey key) {
        publicKey = key;
        threshold = Threshold.of(key, plan.threshold());
        flooding = FloodingNoise.forJob(context, plan.sites().size(), plan.sites().size());
    }

    private <T> T requireParty(String site, String party, T value) {
        if (!site.equals(party)) {
            throw new RoundFailedException("job " + plan.jobId() + ": site " + site + " spoke for party '" + party
                    + "'; each site speaks only for itself — restart the key setup");
        }
        return value;
    }

    private static KeySetup.Commitment commitment(KeyShareCommit c) {
        return new KeySetup.Commitment(c.getParty(), c.getDigest().toByteArray(), c.getSignature().toByteArray(),
                c.getCredential().toByteArray());
    }

    private static KeySetup.Reveal reveal(WireCodec codec, KeyShareReveal r) {
        return new KeySetup.Reveal(codec.decodePublicKeyShare(r.getShare().toByteArray()), r.getNonce().toByteArray(),
                r.getSignature().toByteArray(), r.getCredential().toByteArray());
    }

    // ---------------------------------------------------------------- rounds

    /** What the coordinator collected for one round. */
    protected static final class Collected {
        /** Each accepted site's signed statement and records object, exactly as announced. */
        final Map<String, ContributionRef> contributions = new TreeMap<>();
        StreamingAccumulator accumulator;
        double[] plainSum;
    }

    /** Runs one round from {@code global}; returns the next global model. */
    public float[] runRound(int round, float[] global) {
        String base = plan.jobId() + "/round-" + round;
        String modelName = base + "/model";
        List<byte[]> modelParts = Parts.floats(global, Parts.MODEL_VALUES_PER_PART);
        store.put(modelName, modelParts);
        byte[] modelSha = Parts.sha256(modelParts.iterator());
        listener.roundStarted(plan.jobId(), round, modelSha);
        broadcast(msg().setRoundStart(RoundStart.newBuilder().setRound(round).setModelObject(modelName)
                .setModelSha256(ByteString.copyFrom(modelSha)).setParameterCount(global.length)
                .setUpdateObject(base + "/update").setEpochs(plan.epochs()).setMaxSteps(plan.maxSteps())
                .setBatchSize(plan.batchSize()).setLearningRate(plan.learningRate()).setMu(plan.mu())
                .setSeed(plan.seed() + round).setModelSpec(plan.modelSpec() == null ? "" : plan.modelSpec())));

        long length = RoundVector.length(global.length);
        int perChunk = plan.encrypted() ? context.n() : PLAIN_VALUES_PER_PART;
        int chunks = (int) ((length + perChunk - 1) / perChunk);
        Collected in = new Collected();
        if (plan.encrypted()) {
            in.accumulator = new StreamingAccumulator(context, publicKey.keyId(), chunks);
        } else {
            in.plainSum = new double[(int) length];
        }
        Map<String, String> refused = new TreeMap<>();
        Set<String> contributed = new TreeSet<>();
        await(plan.sites(), BodyCase.CONTRIBUTION, round, plan.roundTimeout(), plan.sites().size(), refused,
                (site, m) -> {
                    String problem = accept(site, round, base, chunks, length, m.getContribution(), in);
                    if (problem != null) {
                        refused.put(site, problem);
                        return false;
                    }
                    contributed.add(site);
                    listener.contributionRecorded(plan.jobId(), round, site,
                            in.contributions.getOrDefault(site, ContributionRef.getDefaultInstance()));
                    return true;
                });
        List<String> leftOut = new ArrayList<>();
        for (String site : plan.sites()) {
            if (!contributed.contains(site)) {
                String reason = refused.getOrDefault(site, "no contribution before the round timeout");
                leftOut.add(site);
                listener.siteLeftOut(plan.jobId(), round, site, reason);
                LOG.info("job {} round {}: site {} left out: {}", plan.jobId(), round, site, reason);
            }
        }
        if (contributed.size() < plan.minSites()) {
            throw new RoundFailedException("job " + plan.jobId() + " round " + round + ": only " + contributed.size()
                    + " of the " + plan.minSites() + " required sites contributed (left out: " + describe(leftOut, refused)
                    + "); check that the sites are online and run the round again");
        }
        List<String> decryptionSet = List.of();
        double[] sum;
        if (plan.encrypted()) {
            DecryptionOutcome d = decrypt(round, base, chunks, in.accumulator.result(), in.contributions);
            sum = Arrays.copyOf(d.values(), (int) length);
            decryptionSet = d.activeSet();
        } else {
            sum = in.plainSum;
        }
        float[] meanDelta = RoundVector.meanDelta(sum, global.length);
        float[] next = strategy.next(global, meanDelta);
        if (next.length != global.length) {
            throw new RoundFailedException("the server strategy returned " + next.length + " parameters for a model of "
                    + global.length + "; fix the strategy");
        }
        Metrics metrics = RoundVector.metrics(sum, global.length);
        String nextName = base + "/next-model";
        List<byte[]> nextParts = Parts.floats(next, Parts.MODEL_VALUES_PER_PART);
        store.put(nextName, nextParts);
        RoundResult result = RoundResult.newBuilder().setRound(round).addAllContributors(contributed)
                .addAllLeftOut(leftOut).addAllDecryptionSet(decryptionSet).setTotalSamples(RoundVector.samples(sum))
                .setNextModelObject(nextName).setNextModelSha256(ByteString.copyFrom(Parts.sha256(nextParts.iterator())))
                .setMetrics(metrics).setHeMode(plan.encrypted() ? HeMode.HE_MODE_ENCRYPTED : HeMode.HE_MODE_PLAINTEXT)
                .build();
        synchronized (this) {
            results.add(result);
        }
        listener.roundFinished(plan.jobId(), result, next);
        broadcast(msg().setRoundResult(result));
        return next;
    }

    /**
     * Checks one announced contribution and adds it. The site's statement is checked and its
     * signature verified once; then one pass reads the update object and the records object side
     * by side: each record is parsed, checked for its chunk and hashed into the statement's digest,
     * and each chunk is decoded, checked (index, key, header), compared with its record's Merkle
     * root and added. At the end the hashed records must be the ones the signed statement covers.
     * If anything fails after chunks were added, those are read again and subtracted. Memory stays
     * one ciphertext per chunk position and one record, whatever the number of sites or chunks.
     * Returns the reason when refused.
     */
    private String accept(String site, int round, String base, int chunks, long length, ContributionAnnouncement a,
            Collected in) {
        String object = base + "/update/" + site;
        if (!a.getSite().equals(site) || !a.getUpdateObject().equals(object) || a.getChunks() != chunks) {
            return "announcement does not match the round (site, object " + object + " or " + chunks + " chunks)";
        }
        if (!store.contains(object)) {
            return "announced object " + object + " is not stored; upload it before announcing";
        }
        if (!plan.encrypted()) {
            return addPlain(object, chunks, length, in.plainSum);
        }
        if (!a.hasSignedContribution()) {
            return "the announcement carries no signed statement and records object (a site of an older version"
                    + " sends its records inline); update the site";
        }
        ContributionRef ref = a.getSignedContribution();
        String recordsObject = recordsObject(object);
        if (!ref.getRecordsObject().equals(recordsObject) || !store.contains(recordsObject)) {
            return "the records object must be " + recordsObject + " and stored before the announcement (announced '"
                    + ref.getRecordsObject() + "'); upload it next to the update";
        }
        SignedStatement signed;
        try {
            signed = parseStatement(ref.getStatement());
        } catch (IllegalArgumentException e) {
            return "unreadable signed statement: " + e.getMessage();
        }
        ContributionStatement st = signed.statement();
        if (!st.site().equals(site) || !st.jobId().equals(plan.jobId()) || st.round() != round || st.chunks() != chunks) {
            return "the signed statement is for site " + st.site() + ", job " + st.jobId() + ", round " + st.round()
                    + " with " + st.chunks() + " chunks, not for this round's " + chunks + " chunks";
        }
        try {
            verifier.verify(site, signed.signedBytes(), signed.signature(), signed.credential()); // once per site and round
        } catch (HeException e) {
            return "refused statement: " + e.getMessage();
        }
        WireCodec codec = new WireCodec(context);
        ContributionStatement.RecordsHasher covered = new ContributionStatement.RecordsHasher(chunks);
        int added = 0;
        String problem = null;
        try {
            Iterator<byte[]> parts = store.get(object);
            Iterator<byte[]> records = store.get(recordsObject);
            for (int c = 0; c < chunks && problem == null; c++) {
                if (!parts.hasNext() || !records.hasNext()) {
                    problem = "object " + (parts.hasNext() ? recordsObject : object) + " has fewer than " + chunks
                            + " parts";
                    break;
                }
                byte[] recordBytes = records.next();
                ContributionRecord r = ContributionRecord.parse(recordBytes);
                covered.add(recordBytes);
                if (r.chunk() != c || r.round() != round || !r.site().equals(site) || !r.jobId().equals(plan.jobId())) {
                    problem = "record " + c + " is for another chunk, round, site or job";
                    break;
                }
                Ciphertext ct = codec.decodeCiphertext(parts.next());
                long values = Math.min(context.n(), length - (long) c * context.n());
                if (ct.chunk() != c || !ct.keyId().equals(publicKey.keyId()) || ct.valueCount() != values
                        || ct.bound() > plan.valueBound() || ct.contributions() != 1) {
                    // a header beyond the job's bound or count could make later sites' additions overflow-refused
                    problem = "chunk " + c + " carries index " + ct.chunk() + ", another key, " + ct.valueCount()
                            + " values (expected " + values + "), a bound above the job's or a count other than 1";
                } else if (!Arrays.equals(CiphertextTree.of(context, ct).root(), r.digest())) {
                    problem = "chunk " + c + " does not hash to the digest in its site's signed statement";
                } else {
                    in.accumulator.add(ct);
                    added++;
                }
            }
            if (problem == null && (parts.hasNext() || records.hasNext())) {
                problem = "object " + (parts.hasNext() ? object : recordsObject) + " has more than " + chunks + " parts";
            }
            if (problem == null && !st.covers(covered.digest())) {
                problem = "the records of site " + site + " in " + recordsObject + " are not the ones its signed"
                        + " statement covers";
            }
        } catch (HeException | IllegalArgumentException e) {
            problem = "refused contribution at chunk " + added + ": " + e.getMessage();
        }
        if (problem != null) {
            takeBack(object, added, in.accumulator);
            return problem;
        }
        in.contributions.put(site, ref);
        return null;
    }

    /** Where a site puts the records of its update object: next to it. */
    public static String recordsObject(String updateObject) {
        return updateObject + "/records";
    }

    /** Subtracts the first {@code added} chunks of {@code object} again: the aggregate is as if the site never sent them. */
    private void takeBack(String object, int added, StreamingAccumulator accumulator) {
        if (added == 0) {
            return;
        }
        WireCodec codec = new WireCodec(context);
        try {
            Iterator<byte[]> again = store.get(object); // objects are immutable once announced
            for (int c = 0; c < added; c++) {
                accumulator.subtract(codec.decodeCiphertext(again.next()));
            }
        } catch (RuntimeException e) {
            throw new RoundFailedException("job " + plan.jobId() + ": the refused contribution " + object
                    + " could not be taken out of the aggregate again (" + e.getMessage() + "); the aggregate is not"
                    + " usable — run the round again", e);
        }
    }

    /**
     * Plaintext mode, one pass: checks each part and adds it; when a later part fails, the added
     * parts are read again and subtracted (exact up to floating-point rounding of the sum).
     */
    private String addPlain(String object, int chunks, long length, double[] sum) {
        long seen = 0;
        int count = 0;
        String problem = null;
        Iterator<byte[]> parts = store.get(object);
        while (parts.hasNext() && problem == null) {
            double[] p;
            try {
                p = Parts.readDoublePart(parts.next());
            } catch (IllegalArgumentException e) {
                problem = "part " + count + " of " + object + " is unreadable: " + e.getMessage();
                break;
            }
            long expected = Math.min(PLAIN_VALUES_PER_PART, length - seen);
            if (count >= chunks || p.length != expected) {
                problem = "part " + count + " of " + object + " holds " + p.length + " values, expected "
                        + Math.max(expected, 0) + " (" + chunks + " parts of " + length + " values in all)";
                break;
            }
            for (double v : p) {
                if (!Double.isFinite(v) || Math.abs(v) > plan.valueBound()) {
                    problem = "part " + count + " of " + object + " holds a value beyond the job's bound";
                    break;
                }
            }
            if (problem == null) {
                int at = (int) seen;
                for (double v : p) {
                    sum[at++] += v;
                }
                seen += p.length;
                count++;
            }
        }
        if (problem == null && (count != chunks || seen != length)) {
            problem = "object " + object + " holds " + seen + " values in " + count + " parts, expected " + length
                    + " in " + chunks;
        }
        if (problem != null && count > 0) {
            Iterator<byte[]> again = store.get(object);
            int at = 0;
            for (int c = 0; c < count; c++) {
                for (double v : Parts.readDoublePart(again.next())) {
                    sum[at++] -= v;
                }
            }
        }
        return problem;
    }

    /** One round's decrypted sum and the holders that decrypted it. */
    protected record DecryptionOutcome(double[] values, List<String> activeSet) {
    }

    /**
     * The aggregate and the signed list presented to the key holders, per chunk. Attack tests
     * override this to present something else (e.g. one site's ciphertext): key holders must refuse.
     */
    protected List<Ciphertext> presentedAggregate(int round, List<Ciphertext> aggregate,
            Map<String, ContributionRef> contributions, String base) {
        return aggregate;
    }

    /** The sites' signed statements and records objects presented with the aggregate; attack tests override it too. */
    protected Map<String, ContributionRef> presentedContributions(int round,
            Map<String, ContributionRef> contributions) {
        return contributions;
    }

    private DecryptionOutcome decrypt(int round, String base, int chunks, List<Ciphertext> honest,
            Map<String, ContributionRef> honestContributions) {
        List<Ciphertext> aggregate = presentedAggregate(round, honest, honestContributions, base);
        Map<String, ContributionRef> records = presentedContributions(round, honestContributions);
        WireCodec codec = new WireCodec(context);
        String aggName = base + "/aggregate";
        List<byte[]> aggParts = aggregate.stream().map(codec::encodeCiphertext).toList();
        store.put(aggName, aggParts);
        byte[] aggSha = Parts.sha256(aggParts.iterator());
        broadcast(msg().setDecryptionRequest(DecryptionRequestMessage.newBuilder().setRound(round)
                .setAggregateObject(aggName).setChunkFrom(0).setChunkTo(chunks).addAllSiteContributions(records.values())));

        // challenges double as the liveness check: the active set is the first t holders that answer
        Map<String, String> refused = new TreeMap<>();
        Map<String, RoundsMessage> challenges = await(plan.sites(), BodyCase.CHALLENGE, round,
                plan.decryptionTimeout(), plan.threshold(), refused, (site, m) -> validChallenge(site, round, base,
                        chunks, m.getChallenge()));
        if (challenges.size() < plan.threshold()) {
            Set<String> silent = new TreeSet<>(plan.sites());
            silent.removeAll(challenges.keySet());
            silent.removeAll(refused.keySet());
            throw new RoundFailedException("job " + plan.jobId() + " round " + round + ": decryption needs "
                    + plan.threshold() + " key holders but " + challenges.size() + " answered; refused: " + refused
                    + "; silent: " + silent + ". Check the refusals (a key holder refuses aggregates it cannot verify)"
                    + " and run the round again with fresh encryptions", refused.isEmpty());
        }
        ActiveSet set = threshold.choose(challenges.keySet());
        listener.decryptionReserved(plan.jobId(), round, set.members(), aggSha);

        // opening blocks needs only the listed sites, in the request's order: their records stay in the store
        List<String> listed = List.copyOf(records.keySet());
        // each member's openings, produced chunk by chunk from the stored updates (trees are rebuilt, not kept)
        for (String member : set.members()) {
            ChallengeMessage challenge = challenges.get(member).getChallenge();
            String name = base + "/response/" + member;
            store.put(name, () -> new Iterator<>() {
                private final Map<String, Iterator<byte[]>> updates = openUpdates(base, records.keySet());
                private final Iterator<byte[]> challengeParts = store.get(challenge.getChallengeObject());
                private int c = 0;

                @Override
                public boolean hasNext() {
                    return c < chunks;
                }

                @Override
                public byte[] next() {
                    Map<String, CiphertextTree> trees = new TreeMap<>();
                    updates.forEach((site, it) -> trees.put(site, CiphertextTree.of(context,
                            codec.decodeCiphertext(it.next()))));
                    ChallengeBlocks cb = challengeBlocks(challengeParts.next());
                    Challenge ch = new Challenge(plan.jobId(), round, c, cb.getRequestDigest().toByteArray(),
                            cb.getBlocksList().stream().mapToInt(Integer::intValue).toArray());
                    c++;
                    return encodeResponse(ChallengeResponse.answer(ch, listed, trees));
                }
            });
            links.send(member, msg().setChallengeAnswer(ChallengeAnswer.newBuilder().setRound(round)
                    .setResponseObject(name).addAllActiveSet(set.members())).build());
        }
        Map<String, String> refusedShares = new TreeMap<>();
        Map<String, RoundsMessage> shares = await(set.members(), BodyCase.DECRYPTION_SHARE, round,
                plan.decryptionTimeout(), set.members().size(), refusedShares,
                (site, m) -> m.getDecryptionShare().getHolder().equals(site));
        if (shares.size() < set.members().size()) {
            Set<String> missing = new TreeSet<>(set.members());
            missing.removeAll(shares.keySet());
            throw new RoundFailedException("job " + plan.jobId() + " round " + round + ": key holders " + missing
                    + " of the active set did not deliver decryption shares (refused: " + refusedShares + "); these"
                    + " chunks are spent — run the round again with fresh encryptions", refusedShares.isEmpty());
        }
        ThresholdWireCodec tcodec = new ThresholdWireCodec(context);
        ThresholdCombiner combiner = new ThresholdCombiner(context, publicKey, threshold, flooding);
        Map<String, Iterator<byte[]>> shareParts = new TreeMap<>();
        shares.forEach((m, msg) -> shareParts.put(m, store.get(msg.getDecryptionShare().getShareObject())));
        double[] values = new double[chunks * context.n()];
        for (int c = 0; c < chunks; c++) {
            List<ThresholdDecryptionShare> list = new ArrayList<>();
            for (Iterator<byte[]> it : shareParts.values()) {
                list.add(tcodec.decodeDecryptionShare(it.next()));
            }
            double[] chunk = combiner.combine(aggregate.get(c), set, list);
            System.arraycopy(chunk, 0, values, c * context.n(), chunk.length);
        }
        return new DecryptionOutcome(values, set.members());
    }

    /**
     * A holder's challenge object must be its own, stored, and hold one readable ChallengeBlocks
     * per chunk in chunk order; read once here (a few hundred bytes per chunk, streamed) so that
     * answering it later cannot fail half-way. Logs why a challenge is not taken.
     */
    private boolean validChallenge(String site, int round, String base, int chunks, ChallengeMessage ch) {
        String expected = base + "/challenge/" + site;
        String problem = null;
        if (!ch.getHolder().equals(site) || !ch.getChallengeObject().equals(expected) || !store.contains(expected)) {
            problem = "its challenge names holder '" + ch.getHolder() + "' and object '" + ch.getChallengeObject()
                    + "', expected its own stored object " + expected;
        } else {
            int c = 0;
            try {
                for (Iterator<byte[]> it = store.get(expected); it.hasNext() && problem == null; c++) {
                    if (challengeBlocks(it.next()).getChunk() != c) {
                        problem = "part " + c + " of " + expected + " is not the challenge of chunk " + c;
                    }
                }
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
            if (problem == null && c != chunks) {
                problem = expected + " holds " + c + " challenges for " + chunks + " chunks";
            }
        }
        if (problem != null) {
            LOG.warn("job {} round {}: key holder {} is not counted for decryption: {}", plan.jobId(), round, site, problem);
        }
        return problem == null;
    }

    private static ChallengeBlocks challengeBlocks(byte[] part) {
        try {
            return ChallengeBlocks.parseFrom(part);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("a challenge part is not a ChallengeBlocks message", e);
        }
    }

    private Map<String, Iterator<byte[]>> openUpdates(String base, Collection<String> sites) {
        Map<String, Iterator<byte[]>> out = new TreeMap<>();
        sites.forEach(site -> out.put(site, store.get(base + "/update/" + site)));
        return out;
    }

    /** A site's statement as received: read from its exact signed bytes. */
    public static SignedStatement parseStatement(StatementPart s) {
        return SignedStatement.fromSignedBytes(s.getSignedBytes().toByteArray(), s.getSignature().toByteArray(),
                s.getCredential().toByteArray());
    }

    static byte[] encodeResponse(ChallengeResponse r) {
        ChallengeResponsePart.Builder b = ChallengeResponsePart.newBuilder().setRound(r.round()).setChunk(r.chunk());
        for (ContributionOpening o : r.openings()) {
            ContributionOpeningPart.Builder ob = ContributionOpeningPart.newBuilder().setSite(o.site())
                    .setValueCount(o.valueCount()).setBound(o.bound());
            for (BlockOpening bo : o.blocks()) {
                BlockOpeningPart.Builder bb = BlockOpeningPart.newBuilder().setBlock(bo.block());
                for (long v : bo.residues()) {
                    bb.addResidues(v);
                }
                for (byte[] s : bo.siblings()) {
                    bb.addSiblings(ByteString.copyFrom(s));
                }
                ob.addBlocks(bb);
            }
            b.addOpenings(ob);
        }
        return b.build().toByteArray();
    }

    // ---------------------------------------------------------------- messaging

    private RoundsMessage.Builder msg() {
        return RoundsMessage.newBuilder().setJobId(plan.jobId());
    }

    private void broadcast(RoundsMessage.Builder m) {
        RoundsMessage built = m.build();
        for (String site : plan.sites()) {
            links.send(site, built);
        }
    }

    private Map<String, RoundsMessage> awaitAll(BodyCase kind, int round, String step) {
        Map<String, String> refused = new TreeMap<>();
        Map<String, RoundsMessage> got = await(plan.sites(), kind, round, plan.setupTimeout(), plan.sites().size(),
                refused, (s, m) -> true);
        if (got.size() < plan.sites().size()) {
            Set<String> missing = new TreeSet<>(plan.sites());
            missing.removeAll(got.keySet());
            throw new RoundFailedException("job " + plan.jobId() + ": " + step + " missing from " + missing
                    + (refused.isEmpty() ? "" : " (refused: " + refused + ")")
                    + "; every site must take part in the key setup — check the sites and restart the job");
        }
        return got;
    }

    /**
     * Waits for one message of {@code kind} from each of {@code from} until {@code enough} were
     * accepted or the timeout passes. A refusal from a site counts as its answer (recorded);
     * other messages, and messages of other rounds, are logged and dropped.
     */
    private Map<String, RoundsMessage> await(Collection<String> from, BodyCase kind, int round, Duration timeout,
            int enough, Map<String, String> refused, BiPredicate<String, RoundsMessage> accept) {
        Map<String, RoundsMessage> got = new LinkedHashMap<>();
        Set<String> answered = new HashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (got.size() < enough && answered.size() < from.size()) {
            long left = deadline - System.nanoTime();
            Inbound in;
            try {
                in = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RoundFailedException("job " + plan.jobId() + ": interrupted while waiting for " + kind, e);
            }
            if (in == null) {
                break;
            }
            RoundsMessage m = in.message();
            if (!from.contains(in.site()) || answered.contains(in.site())) {
                continue;
            }
            if (m.getBodyCase() == BodyCase.REFUSAL && (round < 0 || m.getRefusal().getRound() == round)) {
                refused.put(in.site(), m.getRefusal().getStage() + ": " + m.getRefusal().getReason());
                answered.add(in.site());
                LOG.warn("job {} round {}: site {} refused ({}): {}", plan.jobId(), round, in.site(),
                        m.getRefusal().getStage(), m.getRefusal().getReason());
                continue;
            }
            if (m.getBodyCase() != kind || (round >= 0 && roundOf(m) != round)) {
                if (loggedUnexpected.add(m.getBodyCase())) {
                    LOG.info("job {}: ignored a {} message while waiting for {} (logged once per kind)", plan.jobId(),
                            m.getBodyCase(), kind);
                }
                continue;
            }
            answered.add(in.site());
            if (accept.test(in.site(), m)) {
                got.put(in.site(), m);
            }
        }
        return got;
    }

    private static int roundOf(RoundsMessage m) {
        return switch (m.getBodyCase()) {
            case CONTRIBUTION -> m.getContribution().getRound();
            case CHALLENGE -> m.getChallenge().getRound();
            case DECRYPTION_SHARE -> m.getDecryptionShare().getRound();
            default -> -1;
        };
    }

    private static String describe(List<String> leftOut, Map<String, String> refused) {
        List<String> out = new ArrayList<>();
        for (String s : leftOut) {
            out.add(s + (refused.containsKey(s) ? " (" + refused.get(s) + ")" : " (silent)"));
        }
        return String.join(", ", out);
    }
}
