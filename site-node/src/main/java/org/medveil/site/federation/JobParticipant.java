package org.medveil.site.federation;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.medveil.governance.job.DataSelection;
import org.medveil.he.multiparty.DecryptionLedger;
import org.medveil.he.multiparty.FileDecryptionLedger;
import org.medveil.he.multiparty.FloodingNoise;
import org.medveil.he.multiparty.KeySetup;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.multiparty.SeedAgreement;
import org.medveil.he.multiparty.VerifiedDecryption;
import org.medveil.he.ring.SecretRandom;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.Params;
import org.medveil.he.rlwe.PublicKey;
import org.medveil.he.rlwe.VectorEncryptor;
import org.medveil.he.threshold.ActiveSet;
import org.medveil.he.threshold.EcdhShareOpener;
import org.medveil.he.threshold.EcdhShareSealer;
import org.medveil.he.threshold.SealLabel;
import org.medveil.he.threshold.Threshold;
import org.medveil.he.threshold.ThresholdDecryptionShare;
import org.medveil.he.threshold.ThresholdKeyShare;
import org.medveil.he.threshold.ThresholdShareHolder;
import org.medveil.he.threshold.Thresholdizer;
import org.medveil.he.verify.AggregateVerifier;
import org.medveil.he.verify.BlockOpening;
import org.medveil.he.verify.CanonicalBytes;
import org.medveil.he.verify.Challenge;
import org.medveil.he.verify.ChallengeResponse;
import org.medveil.he.verify.ContributionOpening;
import org.medveil.he.verify.ContributionRecord;
import org.medveil.he.verify.ContributionSigner;
import org.medveil.he.verify.ContributionVerifier;
import org.medveil.he.verify.DecryptionRequest;
import org.medveil.he.verify.LinearSketch;
import org.medveil.he.verify.SignedStatement;
import org.medveil.he.verify.SiteContribution;
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
import org.medveil.proto.rounds.DecryptionShareAnnouncement;
import org.medveil.proto.rounds.HeMode;
import org.medveil.proto.rounds.KeyReady;
import org.medveil.proto.rounds.KeySetupStart;
import org.medveil.proto.rounds.KeyShareCommit;
import org.medveil.proto.rounds.KeyShareReveal;
import org.medveil.proto.rounds.PublicKeyAnnouncement;
import org.medveil.proto.rounds.Refusal;
import org.medveil.proto.rounds.RoundStart;
import org.medveil.proto.rounds.RoundsMessage;
import org.medveil.proto.rounds.SealedKind;
import org.medveil.proto.rounds.SealedShare;
import org.medveil.proto.rounds.SealedShares;
import org.medveil.proto.rounds.SeedCommit;
import org.medveil.proto.rounds.SeedReveal;
import org.medveil.proto.rounds.StatementPart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted job at a site: takes part in the key setup (seed, committed key share, the
 * t-of-N dealing and the job's sketch key, both sealed to the other sites so the coordinator
 * cannot read them), trains each round through {@link LocalTraining}, encrypts and signs the
 * sample-weighted update with its metrics, and answers decryption requests <b>only</b> through
 * {@link VerifiedDecryption} with a durable {@link FileDecryptionLedger}: an aggregate of too few
 * signed contributions, anything but their sum, or a second request for the same (job, round,
 * chunk) is refused with a {@link Refusal}. With a {@link ManifestCountersigner} it also checks
 * and countersigns the round manifests (what it received and sent is fed to it).
 *
 * <p>The transport calls {@link #onMessage} with the coordinator's messages in order, one at a
 * time; answers go out through the {@link CoordinatorLink}. Never logs data values or PHI.
 */
public final class JobParticipant implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobParticipant.class);
    private static final int PLAIN_VALUES_PER_PART = 4096;
    private static final String SKETCH_LABEL_SUFFIX = "#sketch-key";

    /** The site's kit as the protocol needs it: signer (speaks for the site), key pair (opens sealed shares), CA verifier. */
    public record Identity(ContributionSigner signer, KeyPair kitKeys, ContributionVerifier verifier) {
        public String site() {
            return signer.site();
        }
    }

    private final String jobId;
    private final String site;
    private final Identity identity;
    private final LocalTraining.JobTraining plan;
    private final LocalTraining training;
    private final CoordinatorLink link;
    private final Transfers transfers;
    private final KeyVault vault;
    private final Path ledgerFile;

    private KeySetupStart setupParams;
    private HeContext context;
    private SeedAgreement.Contribution seed;
    private List<SeedCommit> seedCommits;
    private KeySetup keySetup;
    private KeyShare keyShare;
    private List<KeyShareCommit> keyCommits;
    private PublicKey publicKey;
    private Threshold threshold;
    private final Map<String, byte[]> sketchParts = new TreeMap<>();
    private Thresholdizer.Collector collector;
    private LinearSketch sketch;
    private DecryptionLedger ledger;
    private VerifiedDecryption<ThresholdDecryptionShare> decryption;
    private ActiveSet currentSet;
    private final Map<Integer, List<DecryptionRequest>> pending = new HashMap<>();
    private ManifestCountersigner countersigner;

    /**
     * @param ledgerFile where this job's decryption ledger lives (one file per job; it must survive restarts)
     */
    public JobParticipant(String jobId, Identity identity, LocalTraining.JobTraining plan, LocalTraining training,
            CoordinatorLink link, Transfers transfers, KeyVault vault, Path ledgerFile) {
        this.jobId = jobId;
        this.site = identity.site();
        this.identity = identity;
        this.plan = plan;
        this.training = training;
        this.link = link;
        this.transfers = transfers;
        this.vault = vault;
        this.ledgerFile = ledgerFile;
    }

    public String site() {
        return site;
    }

    /** Lets this participant countersign the job's round manifests; without it, requests are refused. */
    public synchronized JobParticipant countersigning(ManifestCountersigner c) {
        this.countersigner = c;
        return this;
    }

    /** Handles one coordinator message; a step that fails answers with a Refusal naming the reason. */
    public synchronized void onMessage(RoundsMessage m) {
        if (!jobId.equals(m.getJobId())) {
            LOG.warn("site {}: dropped a {} message for job {} (this participant serves job {})", site, m.getBodyCase(),
                    m.getJobId(), jobId);
            return;
        }
        String stage = "key-setup";
        int round = -1;
        try {
            switch (m.getBodyCase()) {
                case KEY_SETUP_START -> start(m.getKeySetupStart());
                case SEED_COMMITMENTS -> {
                    seedCommits = List.copyOf(m.getSeedCommitments().getCommitmentsList());
                    requireAllParties(seedCommits.stream().map(SeedCommit::getParty).toList(), "seed commitments");
                    if (seedCommits.stream().noneMatch(c -> c.getParty().equals(site)
                            && c.getDigestHex().equals(seed.commitment().digestHex()))) {
                        throw new IllegalStateException("the coordinator's seed commitments do not hold this site's own"
                                + " commitment unchanged");
                    }
                    send(msg().setSeedReveal(SeedReveal.newBuilder().setParty(site)
                            .setNonceHex(seed.reveal().nonceHex())));
                }
                case SEED_REVEALS -> commitKeyShare(m);
                case KEY_SHARE_COMMITS -> {
                    keyCommits = List.copyOf(m.getKeyShareCommits().getCommitmentsList());
                    KeySetup.Reveal r = keySetup.reveal(keyCommits.stream().map(JobParticipant::commitment).toList());
                    send(msg().setKeyShareReveal(KeyShareReveal.newBuilder().setParty(site)
                            .setShare(ByteString.copyFrom(new WireCodec(context).encodePublicKeyShare(r.share())))
                            .setNonce(ByteString.copyFrom(r.nonce())).setSignature(ByteString.copyFrom(r.signature()))
                            .setCredential(ByteString.copyFrom(r.credential()))));
                }
                case PUBLIC_KEY -> confirmAndDeal(m.getPublicKey());
                case SEALED_SHARES -> receiveSealed(m.getSealedShares());
                case ROUND_START -> {
                    stage = "training";
                    round = m.getRoundStart().getRound();
                    if (countersigner != null) {
                        countersigner.roundStarted(m.getRoundStart());
                    }
                    contribute(m.getRoundStart());
                }
                case DECRYPTION_REQUEST -> {
                    stage = "decryption";
                    round = m.getDecryptionRequest().getRound();
                    challenge(m.getDecryptionRequest());
                }
                case CHALLENGE_ANSWER -> {
                    stage = "decryption";
                    round = m.getChallengeAnswer().getRound();
                    answer(m.getChallengeAnswer());
                }
                case ROUND_RESULT -> {
                    LOG.info("site {}: job {} round {} finished with {} contributors", site, jobId,
                            m.getRoundResult().getRound(), m.getRoundResult().getContributorsCount());
                    if (countersigner != null) {
                        countersigner.roundResult(m.getRoundResult()).forEach(a -> send(msg().setCountersignature(a)));
                    }
                }
                case COUNTERSIGN_REQUEST -> {
                    stage = "countersign";
                    round = m.getCountersignRequest().getRound();
                    countersign(m.getCountersignRequest());
                }
                case REFUSAL -> LOG.warn("site {}: the coordinator refused ({}): {}", site, m.getRefusal().getStage(),
                        m.getRefusal().getReason());
                default -> LOG.info("site {}: ignored a {} message for job {}", site, m.getBodyCase(), jobId);
            }
        } catch (RuntimeException e) {
            LOG.warn("site {}: job {} {} refused: {}", site, jobId, stage, e.getMessage());
            send(msg().setRefusal(Refusal.newBuilder().setParty(site).setRound(round).setStage(stage)
                    .setReason(e.getClass().getSimpleName() + ": " + e.getMessage())));
        }
    }

    // ---------------------------------------------------------------- key setup

    private void start(KeySetupStart s) {
        if (!s.getPartiesList().contains(site)) {
            throw new IllegalArgumentException("this site is not among the job's parties " + s.getPartiesList());
        }
        setupParams = s;
        if (s.getHeMode() == HeMode.HE_MODE_PLAINTEXT) {
            vault.store(jobId, KeyVault.SETUP, s.toByteArray());
            send(msg().setKeyReady(KeyReady.newBuilder().setParty(site)));
            return;
        }
        if (s.getMinContributions() < 1 || s.getThreshold() < 1 || s.getThreshold() > s.getPartiesCount()) {
            throw new IllegalArgumentException("key setup asks for t=" + s.getThreshold() + " of "
                    + s.getPartiesCount() + " and at least " + s.getMinContributions() + " contributions; refused");
        }
        context = new HeContext(Params.byName(s.getHeParams()));
        seed = SeedAgreement.contribute(site, new SecureRandom());
        send(msg().setSeedCommit(SeedCommit.newBuilder().setParty(site).setDigestHex(seed.commitment().digestHex())));
    }

    private void commitKeyShare(RoundsMessage m) {
        List<SeedReveal> reveals = m.getSeedReveals().getRevealsList();
        byte[] common = SeedAgreement.combine(
                seedCommits.stream().map(c -> new SeedAgreement.Commitment(c.getParty(), c.getDigestHex())).toList(),
                reveals.stream().map(r -> new SeedAgreement.Reveal(r.getParty(), r.getNonceHex())).toList());
        keySetup = new KeySetup(context, common, jobId, setupParams.getPartiesList(), identity.verifier());
        keyShare = KeyShare.generate(context, site, SecretRandom.create());
        KeySetup.Commitment c = keySetup.commit(keyShare, SecretRandom.create(), new SecureRandom(), identity.signer());
        send(msg().setKeyShareCommit(KeyShareCommit.newBuilder().setParty(site).setDigest(ByteString.copyFrom(c.digest()))
                .setSignature(ByteString.copyFrom(c.signature())).setCredential(ByteString.copyFrom(c.credential()))));
    }

    /** Recomputes the announced key (another id is refused), then deals: Shamir shares and a sketch-key part to every other site, sealed. */
    private void confirmAndDeal(PublicKeyAnnouncement a) {
        WireCodec codec = new WireCodec(context);
        PublicKey announced = codec.decodePublicKey(a.getPublicKey().toByteArray());
        publicKey = keySetup.confirm(announced, keyCommits.stream().map(JobParticipant::commitment).toList(),
                a.getRevealsList().stream().map(r -> new KeySetup.Reveal(codec.decodePublicKeyShare(r.getShare()
                        .toByteArray()), r.getNonce().toByteArray(), r.getSignature().toByteArray(),
                        r.getCredential().toByteArray())).toList());
        threshold = Threshold.of(publicKey, setupParams.getThreshold());
        Thresholdizer thresholdizer = new Thresholdizer(context, threshold);
        collector = thresholdizer.collector(site);
        Thresholdizer.Dealing dealing = thresholdizer.deal(keyShare, SecretRandom.create());
        ThresholdWireCodec tcodec = new ThresholdWireCodec(context);
        byte[] mySketchPart = new byte[LinearSketch.KEY_BYTES];
        new SecureRandom().nextBytes(mySketchPart);
        sketchParts.put(site, mySketchPart);
        EcdhShareSealer sealer = new EcdhShareSealer();
        SealedShares.Builder out = SealedShares.newBuilder();
        // keyCommits passed keySetup.reveal, so each credential is a certificate the CA verifier accepted for its party
        for (KeyShareCommit other : keyCommits) {
            String to = other.getParty();
            if (to.equals(site)) {
                collector.add(dealing.shareFor(site));
                continue;
            }
            java.security.PublicKey recipient = certificateKey(other.getCredential().toByteArray(), to);
            out.addShares(sealed(to, SealedKind.SEALED_KIND_SHAMIR, sealer.seal(new SealLabel(jobId, site, to), recipient,
                    tcodec.encodeShamirShare(dealing.shareFor(to)))));
            out.addShares(sealed(to, SealedKind.SEALED_KIND_SKETCH_KEY,
                    sealer.seal(new SealLabel(jobId + SKETCH_LABEL_SUFFIX, site, to), recipient, mySketchPart)));
        }
        dealing.destroy();
        keyShare = null; // only σ_j is needed from now on
        send(msg().setSealedShares(out));
        finishIfComplete();
    }

    private SealedShare sealed(String to, SealedKind kind, byte[] sealedBytes) {
        byte[] signed = sealedSignedBytes(jobId, site, to, kind, sealedBytes);
        return SealedShare.newBuilder().setFrom(site).setTo(to).setKind(kind).setSealed(ByteString.copyFrom(sealedBytes))
                .setSignedBytes(ByteString.copyFrom(signed))
                .setSignature(ByteString.copyFrom(identity.signer().sign(signed)))
                .setCredential(ByteString.copyFrom(identity.signer().credential())).build();
    }

    /** What a dealer signs for a sealed share: "MVSB" v1, job, sender, recipient, kind, sealed bytes. */
    static byte[] sealedSignedBytes(String jobId, String from, String to, SealedKind kind, byte[] sealed) {
        return new CanonicalBytes("MVSB", 1).text(jobId).text(from).text(to).u32(kind.getNumber()).bytes(sealed)
                .toByteArray();
    }

    private void receiveSealed(SealedShares shares) {
        if (collector == null) {
            throw new IllegalStateException("sealed shares arrived before the public key was confirmed");
        }
        ThresholdWireCodec tcodec = new ThresholdWireCodec(context);
        EcdhShareOpener opener = new EcdhShareOpener(identity.kitKeys());
        for (SealedShare s : shares.getSharesList()) {
            if (!s.getTo().equals(site) || !setupParams.getPartiesList().contains(s.getFrom())) {
                throw new IllegalArgumentException("a sealed share from '" + s.getFrom() + "' to '" + s.getTo()
                        + "' is not for this site of the job");
            }
            byte[] expected = sealedSignedBytes(jobId, s.getFrom(), site, s.getKind(), s.getSealed().toByteArray());
            if (!Arrays.equals(expected, s.getSignedBytes().toByteArray())) {
                throw new IllegalArgumentException("the signed bytes of a sealed share from " + s.getFrom()
                        + " do not match its fields");
            }
            identity.verifier().verify(s.getFrom(), expected, s.getSignature().toByteArray(),
                    s.getCredential().toByteArray());
            switch (s.getKind()) {
                case SEALED_KIND_SHAMIR -> collector.add(tcodec.decodeShamirShare(
                        opener.open(new SealLabel(jobId, s.getFrom(), site), s.getSealed().toByteArray())));
                case SEALED_KIND_SKETCH_KEY -> {
                    byte[] part = opener.open(new SealLabel(jobId + SKETCH_LABEL_SUFFIX, s.getFrom(), site),
                            s.getSealed().toByteArray());
                    if (part.length != LinearSketch.KEY_BYTES || sketchParts.putIfAbsent(s.getFrom(), part) != null) {
                        throw new IllegalArgumentException("sketch-key part from " + s.getFrom()
                                + " is malformed or repeated");
                    }
                }
                default -> throw new IllegalArgumentException("unknown sealed share kind " + s.getKind());
            }
        }
        finishIfComplete();
    }

    private void finishIfComplete() {
        if (sketchParts.size() < setupParams.getPartiesCount() || decryption != null) {
            return;
        }
        ThresholdKeyShare sigma = collector.finish(); // refuses missing or duplicate dealers
        byte[] sketchKey = sketchKey(sketchParts);
        vault.store(jobId, KeyVault.SETUP, setupParams.toByteArray());
        vault.store(jobId, KeyVault.THRESHOLD_KEY_SHARE, new ThresholdWireCodec(context).encodeThresholdKeyShare(sigma));
        vault.store(jobId, KeyVault.SKETCH_KEY, sketchKey);
        vault.store(jobId, KeyVault.PUBLIC_KEY, new WireCodec(context).encodePublicKey(publicKey));
        arm(sigma, sketchKey);
        send(msg().setKeyReady(KeyReady.newBuilder().setParty(site).setKeyIdHex(publicKey.keyId().hex())));
    }

    /** Ready to encrypt, sign and answer verified decryption requests with this key share. */
    private void arm(ThresholdKeyShare sigma, byte[] sketchKey) {
        threshold = sigma.threshold();
        sketch = new LinearSketch(context, sketchKey);
        FloodingNoise flooding = FloodingNoise.forJob(context, setupParams.getPartiesCount(),
                setupParams.getMaxContributions());
        ledger = new FileDecryptionLedger(ledgerFile);
        ThresholdShareHolder holder = new ThresholdShareHolder(context, sigma, publicKey, ledger, flooding,
                setupParams.getMinContributions(), SecretRandom.create());
        AggregateVerifier verifier = new AggregateVerifier(context, publicKey.keyId(), identity.verifier(),
                setupParams.getPartiesList(), setupParams.getMinContributions(), AggregateVerifier.DEFAULT_SPOT_CHECKS,
                new SecureRandom(), sketch);
        decryption = new VerifiedDecryption<>(publicKey.keyId(), ledger, verifier,
                ct -> holder.decryptionShare(ct, currentSet));
    }

    /**
     * After a site restart: a participant for a job whose key setup this site finished before,
     * from its {@link KeyVault} and its ledger file (which still refuses every chunk it answered).
     * Throws IllegalStateException when the vault does not hold the job (run a new key setup).
     */
    public static JobParticipant restore(String jobId, Identity identity, LocalTraining.JobTraining plan, LocalTraining training,
            CoordinatorLink link, Transfers transfers, KeyVault vault, Path ledgerFile) {
        JobParticipant p = new JobParticipant(jobId, identity, plan, training, link, transfers, vault, ledgerFile);
        byte[] setup = vault.load(jobId, KeyVault.SETUP).orElseThrow(() -> new IllegalStateException("site "
                + identity.site() + " holds no key setup for job " + jobId + "; the job needs a new key setup"));
        try {
            p.setupParams = KeySetupStart.parseFrom(setup);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the stored key setup of job " + jobId + " is unreadable", e);
        }
        if (p.setupParams.getHeMode() == HeMode.HE_MODE_PLAINTEXT) {
            return p;
        }
        p.context = new HeContext(Params.byName(p.setupParams.getHeParams()));
        p.publicKey = new WireCodec(p.context).decodePublicKey(vault.load(jobId, KeyVault.PUBLIC_KEY).orElseThrow());
        ThresholdKeyShare sigma = new ThresholdWireCodec(p.context).decodeThresholdKeyShare(
                vault.load(jobId, KeyVault.THRESHOLD_KEY_SHARE).orElseThrow());
        p.arm(sigma, vault.load(jobId, KeyVault.SKETCH_KEY).orElseThrow());
        return p;
    }

    /** The job's sketch key: H(domain ‖ every site's 32-byte part in party order); the coordinator never sees a part. */
    static byte[] sketchKey(Map<String, byte[]> parts) {
        MessageDigest md = sha256();
        md.update("medveil sketch key v1".getBytes(StandardCharsets.US_ASCII));
        new TreeMap<>(parts).forEach((party, part) -> {
            byte[] name = party.getBytes(StandardCharsets.UTF_8);
            md.update(ByteBuffer.allocate(4).putInt(name.length).array());
            md.update(name);
            md.update(part);
        });
        return md.digest();
    }

    // ---------------------------------------------------------------- rounds

    private void contribute(RoundStart rs) {
        int round = rs.getRound();
        if (setupParams == null) {
            throw new IllegalStateException("round " + round + " started before this site took part in the job's key"
                    + " setup; the coordinator must run the key setup first");
        }
        plan.check(rs);
        if (rs.getParameterCount() > Integer.MAX_VALUE - 1024) {
            throw new IllegalArgumentException("model of " + rs.getParameterCount() + " parameters is too large");
        }
        int p = (int) rs.getParameterCount();
        MessageDigest md = sha256();
        float[] global = new float[p];
        int at = 0;
        for (Iterator<byte[]> it = transfers.get(rs.getModelObject()); it.hasNext(); ) {
            byte[] part = it.next();
            md.update(part);
            ByteBuffer b = ByteBuffer.wrap(part).order(ByteOrder.LITTLE_ENDIAN);
            if (part.length % 4 != 0 || at + part.length / 4 > p) {
                throw new IllegalArgumentException("global model object holds more than " + p + " parameters");
            }
            while (b.hasRemaining()) {
                global[at++] = b.getFloat();
            }
        }
        if (at != p || !Arrays.equals(md.digest(), rs.getModelSha256().toByteArray())) {
            throw new IllegalArgumentException("global model of round " + round + " does not match its announced size"
                    + " and SHA-256; download it again");
        }
        LocalTraining.TrainingOutcome outcome = training.train(plan.request(jobId, rs, global));
        double[] packed = UpdatePacker.pack(outcome, p, setupParams.getValueBound());
        String object = rs.getUpdateObject() + "/" + site;
        ContributionAnnouncement.Builder a = ContributionAnnouncement.newBuilder().setSite(site).setRound(round)
                .setUpdateObject(object);
        if (setupParams.getHeMode() == HeMode.HE_MODE_PLAINTEXT) {
            List<byte[]> parts = new ArrayList<>();
            for (int from = 0; from < packed.length; from += PLAIN_VALUES_PER_PART) {
                int n = Math.min(PLAIN_VALUES_PER_PART, packed.length - from);
                ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    b.putDouble(packed[from + i]);
                }
                parts.add(b.array());
            }
            transfers.put(object, parts);
            send(msg().setContribution(a.setChunks(parts.size())));
            return;
        }
        if (decryption == null) {
            throw new IllegalStateException("round " + round + " started before this site's key setup finished");
        }
        List<Ciphertext> cts = new VectorEncryptor(context, publicKey, SecretRandom::create).encrypt(packed,
                setupParams.getValueBound());
        // one record per chunk (Merkle root + sketch), one signature per round over all of them; the records
        // go up as a bulk object next to the update, the announcement only names it
        SiteContribution signed = SiteContribution.sign(context, jobId, round, cts, sketch, identity.signer());
        WireCodec codec = new WireCodec(context);
        transfers.put(object, () -> cts.stream().map(codec::encodeCiphertext).iterator());
        String records = recordsObject(object);
        transfers.put(records, () -> signed.records().stream().map(ContributionRecord::canonicalBytes).iterator());
        send(msg().setContribution(a.setChunks(cts.size()).setSignedContribution(toRef(signed, records))));
    }

    /** Where the records of an update object go: next to it (the coordinator expects this name). */
    static String recordsObject(String updateObject) {
        return updateObject + "/records";
    }

    static ContributionRef toRef(SiteContribution c, String recordsObject) {
        SignedStatement s = c.signed();
        return ContributionRef.newBuilder().setStatement(StatementPart.newBuilder()
                .setSignedBytes(ByteString.copyFrom(s.signedBytes())).setSignature(ByteString.copyFrom(s.signature()))
                .setCredential(ByteString.copyFrom(s.credential()))).setRecordsObject(recordsObject).build();
    }

    /**
     * A listed site's contribution as the coordinator presents it: the statement from its exact
     * signed bytes, the records downloaded from the named object. Nothing is trusted here: the
     * verifier checks that these records are the ones the signed statement covers. Reading stops
     * one record past the statement's chunk count (enough for the verifier to refuse the count),
     * so a coordinator cannot make the holder parse an object of any size.
     */
    private SiteContribution fetch(ContributionRef ref) {
        StatementPart s = ref.getStatement();
        SignedStatement statement = SignedStatement.fromSignedBytes(s.getSignedBytes().toByteArray(),
                s.getSignature().toByteArray(), s.getCredential().toByteArray());
        int chunks = statement.statement().chunks();
        List<ContributionRecord> records = new ArrayList<>();
        for (Iterator<byte[]> it = transfers.get(ref.getRecordsObject()); it.hasNext() && records.size() <= chunks; ) {
            records.add(ContributionRecord.parse(it.next()));
        }
        return new SiteContribution(statement, records);
    }

    private void challenge(DecryptionRequestMessage d) {
        if (decryption == null) {
            throw new IllegalStateException("this site holds no key share for job " + jobId + " (plaintext job or key"
                    + " setup unfinished)");
        }
        int round = d.getRound();
        WireCodec codec = new WireCodec(context);
        Iterator<byte[]> parts = transfers.get(d.getAggregateObject());
        for (int c = 0; c < d.getChunkFrom(); c++) {
            parts.next();
        }
        // each site's records object is downloaded and parsed (and its records hashed) once for all chunks;
        // the verifier checks each statement's signature once and then only that each chunk's record is covered
        List<SiteContribution> listed = new ArrayList<>(d.getSiteContributionsCount());
        for (ContributionRef ref : d.getSiteContributionsList()) {
            listed.add(fetch(ref));
        }
        List<DecryptionRequest> requests = new ArrayList<>();
        List<byte[]> challenges = new ArrayList<>();
        for (int c = d.getChunkFrom(); c < d.getChunkTo(); c++) {
            if (!parts.hasNext()) {
                throw new IllegalArgumentException("aggregate object has no chunk " + c);
            }
            Ciphertext ct = codec.decodeCiphertext(parts.next());
            DecryptionRequest req = new DecryptionRequest(jobId, round, c, ct, listed);
            Challenge ch = decryption.challenge(req); // list checks, coverage, signatures, sketch; ledger refuses a repeat
            requests.add(req);
            ChallengeBlocks.Builder cb = ChallengeBlocks.newBuilder().setChunk(c)
                    .setRequestDigest(ByteString.copyFrom(ch.requestDigest()));
            for (int b : ch.blocks()) {
                cb.addBlocks(b);
            }
            challenges.add(cb.build().toByteArray());
        }
        pending.put(round, requests);
        // one part per chunk, uploaded as a bulk object: the message only names it
        String object = jobId + "/round-" + round + "/challenge/" + site;
        transfers.put(object, challenges);
        send(msg().setChallenge(ChallengeMessage.newBuilder().setHolder(site).setRound(round)
                .setChallengeObject(object)));
    }

    private void answer(ChallengeAnswer a) {
        int round = a.getRound();
        List<DecryptionRequest> requests = pending.remove(round);
        if (requests == null) {
            throw new IllegalStateException("no outstanding decryption request for round " + round
                    + "; ask for a challenge first");
        }
        ActiveSet set = threshold.activeSet(a.getActiveSetList());
        if (!set.members().contains(site)) {
            throw new IllegalArgumentException("this site is not in the active set " + set.members());
        }
        List<ChallengeResponse> responses = new ArrayList<>();
        Iterator<byte[]> parts = transfers.get(a.getResponseObject());
        for (int i = 0; i < requests.size(); i++) {
            if (!parts.hasNext()) {
                throw new IllegalArgumentException("the challenge response object has " + i + " of " + requests.size()
                        + " chunks");
            }
            responses.add(decodeResponse(jobId, parts.next()));
        }
        currentSet = set;
        List<ThresholdDecryptionShare> shares = decryption.answer(requests, responses); // one fsync, then the shares
        ThresholdWireCodec tcodec = new ThresholdWireCodec(context);
        String object = jobId + "/round-" + round + "/share/" + site;
        transfers.put(object, () -> shares.stream().map(tcodec::encodeDecryptionShare).iterator());
        send(msg().setDecryptionShare(DecryptionShareAnnouncement.newBuilder().setHolder(site).setRound(round)
                .setShareObject(object)));
    }

    static ChallengeResponse decodeResponse(String jobId, byte[] part) {
        ChallengeResponsePart p;
        try {
            p = ChallengeResponsePart.parseFrom(part);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("a challenge response part is not a ChallengeResponsePart", e);
        }
        List<ContributionOpening> openings = new ArrayList<>();
        for (ContributionOpeningPart o : p.getOpeningsList()) {
            List<BlockOpening> blocks = new ArrayList<>();
            for (BlockOpeningPart b : o.getBlocksList()) {
                byte[][] siblings = b.getSiblingsList().stream().map(ByteString::toByteArray).toArray(byte[][]::new);
                blocks.add(new BlockOpening(b.getBlock(), b.getResiduesList().stream().mapToLong(Long::longValue).toArray(),
                        siblings));
            }
            openings.add(new ContributionOpening(o.getSite(), o.getValueCount(), o.getBound(), blocks));
        }
        return new ChallengeResponse(jobId, p.getRound(), p.getChunk(), openings);
    }

    // ---------------------------------------------------------------- helpers

    private void requireAllParties(List<String> got, String what) {
        if (!new java.util.TreeSet<>(got).equals(new java.util.TreeSet<>(setupParams.getPartiesList()))
                || got.size() != setupParams.getPartiesCount()) {
            throw new IllegalArgumentException(what + " are from " + got + ", expected exactly "
                    + setupParams.getPartiesList());
        }
    }

    private static KeySetup.Commitment commitment(KeyShareCommit c) {
        return new KeySetup.Commitment(c.getParty(), c.getDigest().toByteArray(), c.getSignature().toByteArray(),
                c.getCredential().toByteArray());
    }

    private static java.security.PublicKey certificateKey(byte[] der, String party) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der))
                    .getPublicKey();
        } catch (CertificateException e) {
            throw new IllegalArgumentException("the credential of party " + party + " is not an X.509 certificate", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private RoundsMessage.Builder msg() {
        return RoundsMessage.newBuilder().setJobId(jobId);
    }

    private void countersign(org.medveil.proto.rounds.ManifestCountersignRequest q) {
        if (countersigner == null) {
            send(msg().setCountersignature(org.medveil.proto.rounds.ManifestCountersignature.newBuilder().setSite(site)
                    .setRound(q.getRound()).setManifestRound(q.getManifestRound())
                    .setManifestSha256(ByteString.copyFrom(sha256().digest(q.getManifest().toByteArray())))
                    .setRefused("this site node does not countersign manifests (no countersigner configured)")));
            return;
        }
        countersigner.request(q).forEach(a -> send(msg().setCountersignature(a)));
    }

    private void send(RoundsMessage.Builder m) {
        if (countersigner != null && m.getBodyCase() == RoundsMessage.BodyCase.CONTRIBUTION) {
            countersigner.contributed(m.getContribution()); // what this site actually announced
        }
        link.send(m.build());
    }

    /** Releases the ledger's file lock (the job is over or the node stops). */
    @Override
    public synchronized void close() {
        if (ledger != null) {
            ledger.close();
            ledger = null;
        }
    }
}
