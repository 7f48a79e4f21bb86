package org.medveil.site.jobs;

import io.grpc.Channel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.medveil.governance.crypto.CertificateVerifier;
import org.medveil.governance.crypto.KitSigner;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.RevocationList;
import com.google.protobuf.ByteString;
import org.medveil.governance.job.SignedJob;
import org.medveil.proto.federation.SignedBlob;
import org.medveil.proto.federation.SiteMessage;
import org.medveil.proto.rounds.RoundsMessage;
import org.medveil.site.FederationClient;
import org.medveil.site.federation.JobParticipant;
import org.medveil.site.federation.ManifestCountersigner;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.site.federation.LocalTraining;
import org.medveil.site.store.SiteKeystore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The site's running jobs: one {@link JobParticipant} per accepted job, created by the job's
 * first round message, fed its messages in order on a thread of its own (training runs there,
 * so the session keeps its heartbeats). A job this site did not accept gets no participant.
 */
final class Participants implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Participants.class);

    private final Kit kit;
    private final JobOffers offers;
    private final LocalTraining training;
    private final Supplier<FederationClient> client;
    private final FileKeyVault vault;
    private final Path ledgers;
    private final CertificateVerifier verifier;
    private final TransferLink transfers;
    private final Map<String, JobParticipant> running = new ConcurrentHashMap<>();
    private final Map<String, ExecutorService> threads = new ConcurrentHashMap<>();
    private final java.util.Set<String> refused = ConcurrentHashMap.newKeySet();
    private final org.medveil.governance.audit.AuditLog audit;

    Participants(Kit kit, JobOffers offers, LocalTraining training, Supplier<FederationClient> client,
            SiteKeystore keystore, Path ledgers, Clock clock, Channel channel, org.medveil.governance.audit.AuditLog audit) {
        this.audit = audit;
        this.kit = kit;
        this.offers = offers;
        this.training = training;
        this.client = client;
        this.vault = new FileKeyVault(keystore);
        this.ledgers = ledgers;
        this.verifier = new CertificateVerifier(kit.caCertificate(), kit.identity().project(),
                RevocationList.of(kit, clock, Duration.ofSeconds(30)), clock);
        this.transfers = new TransferLink(channel);
    }

    void deliver(RoundsMessage m) {
        String job = m.getJobId();
        ExecutorService t = threads.computeIfAbsent(job, j -> Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "job-" + j);
            th.setDaemon(true);
            return th;
        }));
        t.execute(() -> {
            try {
                JobParticipant p = running.get(job);
                if (p == null) {
                    p = create(job);
                    if (p == null) {
                        return;
                    }
                }
                p.onMessage(m);
            } catch (RuntimeException e) {
                LOG.error("job {}: handling {} failed: {}", job, m.getBodyCase(), e.getMessage());
            }
        });
    }

    /** Vault entry holding the accepted job's signed bytes, so a restarted site can take up its part again. */
    static final String SIGNED_JOB = "signed-job";
    /** Vault entry holding the data descriptor this site signed for the job's manifests (to check them after a restart). */
    static final String DESCRIPTOR = "data-descriptor";

    private JobParticipant create(String job) {
        try {
            Files.createDirectories(ledgers);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + ledgers + ": " + e.getMessage(), e);
        }
        JobParticipant.Identity id = new JobParticipant.Identity(new KitSigner(kit),
                new KeyPair(kit.certificate().getPublicKey(), kit.privateKey()), verifier);
        org.medveil.site.federation.CoordinatorLink link = msg -> {
            FederationClient c = client.get();
            if (c == null || !c.send(SiteMessage.newBuilder().setRounds(msg))) {
                LOG.warn("job {}: no session to the coordinator; a {} was not sent", job, msg.getBodyCase());
            }
        };
        var accepted = offers.accepted(job);
        JobParticipant p;
        if (accepted.isPresent()) {
            SignedJob sj = accepted.get().job();
            vault.store(job, SIGNED_JOB, SignedBlob.newBuilder().setSigned(ByteString.copyFrom(sj.signedBytes()))
                    .setSignature(ByteString.copyFrom(sj.signature()))
                    .setCertificate(ByteString.copyFrom(sj.researcherDer())).build().toByteArray());
            vault.store(job, DESCRIPTOR, accepted.get().descriptor().toByteArray());
            p = new JobParticipant(job, id, LocalTraining.JobTraining.of(accepted.get().spec()), training, link, transfers, vault,
                    ledgers.resolve(job + ".ledger"));
            p.countersigning(countersigner(job, sj, accepted.get().spec(), accepted.get().descriptor()));
            LOG.info("job {}: taking part (key setup and rounds)", job);
        } else {
            p = restore(job, id, link);
            if (p == null) {
                if (refused.add(job)) {
                    LOG.warn("the coordinator sent round messages for job {}, which this site has not accepted; ignored",
                            job);
                }
                return null;
            }
        }
        running.put(job, p);
        return p;
    }

    /** After a restart: the job this site accepted and set keys up for, from its vault and ledger; else null. */
    private JobParticipant restore(String job, JobParticipant.Identity id, org.medveil.site.federation.CoordinatorLink link) {
        var stored = vault.load(job, SIGNED_JOB);
        if (stored.isEmpty()) {
            return null;
        }
        try {
            SignedBlob b = SignedBlob.parseFrom(stored.get());
            SignedJob sj = SignedJob.of(b.getSigned().toByteArray(), b.getSignature().toByteArray(),
                    b.getCertificate().toByteArray());
            JobParticipant p = JobParticipant.restore(job, id, LocalTraining.JobTraining.of(sj.spec()), training, link, transfers, vault,
                    ledgers.resolve(job + ".ledger"));
            var descriptor = vault.load(job, DESCRIPTOR);
            if (descriptor.isPresent()) {
                p.countersigning(countersigner(job, sj, sj.spec(), SignedBlob.parseFrom(descriptor.get())));
            }
            LOG.info("job {}: taking part again after a restart (keys from the vault, ledger kept)", job);
            return p;
        } catch (com.google.protobuf.InvalidProtocolBufferException | RuntimeException e) {
            LOG.warn("job {}: cannot take part again after the restart: {}", job, e.getMessage());
            return null;
        }
    }

    /** Checks and countersigns the job's manifests; every decision goes to the site's audit log. */
    private ManifestCountersigner countersigner(String job, SignedJob sj, org.medveil.governance.job.JobSpec spec,
            SignedBlob descriptor) {
        String site = kit.identity().name();
        return new ManifestCountersigner(job, site, CertifiedKey.of(kit), new ManifestCountersigner.JobFacts(sj.digest(),
                spec.duaFor(site), descriptor.getSigned().toByteArray(), descriptor.getSignature().toByteArray()),
                fields -> audit.append("manifest-countersign", "coordinator", fields));
    }

    /** The coordinator ended the job: stop, forget its keys (the ledger stays: it refuses repeats forever). */
    void cancelled(String job) {
        ExecutorService t = threads.remove(job);
        JobParticipant p = running.remove(job);
        if (t != null) {
            t.execute(() -> {
                if (p != null) {
                    p.close();
                }
                vault.erase(job);
            });
            t.shutdown();
        }
    }

    @Override
    public void close() {
        threads.values().forEach(ExecutorService::shutdownNow);
        running.values().forEach(JobParticipant::close);
    }
}
