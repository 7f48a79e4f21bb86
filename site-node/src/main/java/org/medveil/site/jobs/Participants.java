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
import org.medveil.proto.federation.SiteMessage;
import org.medveil.proto.rounds.RoundsMessage;
import org.medveil.site.FederationClient;
import org.medveil.site.federation.JobParticipant;
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

    Participants(Kit kit, JobOffers offers, LocalTraining training, Supplier<FederationClient> client,
            SiteKeystore keystore, Path ledgers, Clock clock, Channel channel) {
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

    private JobParticipant create(String job) {
        var accepted = offers.accepted(job);
        if (accepted.isEmpty()) {
            if (refused.add(job)) {
                LOG.warn("the coordinator sent round messages for job {}, which this site has not accepted; ignored", job);
            }
            return null;
        }
        try {
            Files.createDirectories(ledgers);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + ledgers + ": " + e.getMessage(), e);
        }
        JobParticipant.Identity id = new JobParticipant.Identity(new KitSigner(kit),
                new KeyPair(kit.certificate().getPublicKey(), kit.privateKey()), verifier);
        JobParticipant p = new JobParticipant(job, id, accepted.get().spec().selection(), training, msg -> {
            FederationClient c = client.get();
            if (c == null || !c.send(SiteMessage.newBuilder().setRounds(msg))) {
                LOG.warn("job {}: no session to the coordinator; a {} was not sent", job, msg.getBodyCase());
            }
        }, transfers, vault, ledgers.resolve(job + ".ledger"));
        running.put(job, p);
        LOG.info("job {}: taking part (key setup and rounds)", job);
        return p;
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
