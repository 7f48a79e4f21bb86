package org.medveil.site.jobs;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.Capabilities;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.site.FederationClient;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.federation.LocalTraining;
import org.medveil.site.store.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The site's part in federated jobs: answers offers ({@link JobOffers}) on a worker thread of its
 * own (summarising the store takes time; the session thread must keep up with heartbeats), and
 * re-answers offers once a data manager decides their use request.
 */
public final class SiteJobs implements FederationClient.MessageHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SiteJobs.class);
    /** What a site with jobs announces. */
    public static final List<String> CAPABILITIES = List.of(Capabilities.HEARTBEAT, Capabilities.JOBS,
            Capabilities.TRANSFER, Capabilities.HE_RLWE, Capabilities.THRESHOLD);

    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "site-jobs");
        t.setDaemon(true);
        return t;
    });
    private volatile JobOffers offers;
    private volatile Participants participants;

    /** Builds the job side of a site; {@link #connect} gives it the session to answer on. */
    public SiteJobs() {
    }

    public void connect(Kit kit, SiteConfig config, ObjectStore store, AuditLog audit, LocalTraining training,
            java.util.function.Supplier<FederationClient> client, Clock clock,
            org.medveil.site.store.SiteKeystore keystore, io.grpc.Channel channel) {
        RevocationList crl = RevocationList.of(kit, clock, java.time.Duration.ofSeconds(30));
        UseRequests requests = new UseRequests(store.index(), config.autoApprove(),
                org.medveil.site.SiteNode.DEFAULT_DATASET, clock);
        offers = new JobOffers(kit.identity().name(), kit.caCertificate(), crl, CertifiedKey.of(kit), requests,
                training, audit, clock, m -> {
                    FederationClient c = client.get();
                    if (c == null || !c.send(m)) {
                        LOG.warn("no session to the coordinator: the answer to a job offer is sent again when the"
                                + " coordinator re-offers it after the reconnect");
                    }
                });
        participants = new Participants(kit, offers, training, client, keystore, store.dataDir().resolve("federation"),
                clock, channel, audit);
        worker.scheduleWithFixedDelay(() -> {
            try {
                offers.recheckWaiting();
            } catch (RuntimeException e) {
                LOG.error("re-checking job offers that wait for approval failed: {}", e.toString());
            }
        }, 2, 2, TimeUnit.SECONDS);
    }

    @Override
    public void onMessage(CoordinatorMessage m) {
        JobOffers o = offers;
        if (o == null) {
            return;
        }
        worker.execute(() -> {
            try {
                switch (m.getBodyCase()) {
                    case JOB_OFFER -> o.offer(m.getJobOffer());
                    case JOB_CANCEL -> {
                        o.cancelled(m.getJobCancel().getJobId(), m.getJobCancel().getReason());
                        participants.cancelled(m.getJobCancel().getJobId());
                    }
                    case ROUNDS -> participants.deliver(m.getRounds());
                    default -> { }
                }
            } catch (RuntimeException e) {
                LOG.error("handling a job message failed: {}", e.toString());
            }
        });
    }

    public JobOffers offers() {
        return offers;
    }

    @Override
    public void close() {
        worker.shutdownNow();
        if (participants != null) {
            participants.close();
        }
    }
}
