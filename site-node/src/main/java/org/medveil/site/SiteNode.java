package org.medveil.site;

import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.net.StorageScp;
import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.governance.grade.Grader;
import org.medveil.governance.grade.SpecialDiseaseList;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.policy.AccessPolicy;
import org.medveil.governance.policy.PolicyOptions;
import org.medveil.site.admin.AdminLifecycle;
import org.medveil.site.admin.SiteAdminServer;
import org.medveil.site.lifecycle.Archiver;
import org.medveil.site.lifecycle.BackupSchedule;
import org.medveil.site.lifecycle.Housekeeping;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.jobs.SiteJobs;
import org.medveil.site.training.StoreLocalTraining;
import org.medveil.site.ingest.InboxWatcher;
import org.medveil.site.ingest.IngestPipeline;
import org.medveil.site.ingest.ScpIngest;
import org.medveil.site.ingest.ScpTls;
import org.medveil.site.node.AuditRecorder;
import org.medveil.site.store.ConsentRegistry;
import org.medveil.site.node.IndexConsentLookup;
import org.medveil.site.node.StoreSink;
import org.medveil.site.store.LookupKeys;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.Secret;
import org.medveil.site.store.SiteKeystore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * The site daemon (issue 12): from {@code site.yaml} and the site kit it opens the keystore,
 * the encrypted {@link ObjectStore} and the signed {@link AuditLog} ({@code DATA/audit}), builds
 * the ingest pipeline over them, and starts the inbox watcher, the C-STORE SCP (when enabled) and
 * the outbound coordinator link. {@link #close()} stops intake first, then closes the audit log
 * (with a signed checkpoint) and the store.
 */
public final class SiteNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SiteNode.class);
    /** Dataset of ingested objects until site.yaml names datasets. */
    public static final String DEFAULT_DATASET = "default";
    private SiteJobs jobs;
    private io.grpc.ManagedChannel bulk;

    /** The channel for bulk transfers (models, encrypted updates), apart from the Session's. */
    private io.grpc.ManagedChannel bulkChannel(Kit kit, SiteSettings settings) {
        var target = settings.coordinator() != null ? org.medveil.governance.pki.HostNames.parse(settings.coordinator())
                : kit.coordinatorAddress();
        bulk = CoordinatorChannel.forKit(kit, target).open();
        return bulk;
    }

    private final SiteConfig config;
    private final Kit kit;
    private final SiteKeystore keystore;
    private final ObjectStore store;
    private final AuditLog audit;
    private final CompletableFuture<String> fatal = new CompletableFuture<>();
    private InboxWatcher inbox;
    private StorageScp scp;
    private volatile FederationClient federation;
    private SiteAdminServer admin;
    private Housekeeping housekeeping;
    private volatile boolean closed;

    private SiteNode(SiteConfig config, Kit kit, SiteKeystore keystore, ObjectStore store, AuditLog audit) {
        this.config = config;
        this.kit = kit;
        this.keystore = keystore;
        this.store = store;
        this.audit = audit;
    }

    /**
     * Starts the node. {@code federation} null = no coordinator link (tests, or a site that only
     * ingests). Throws {@link SiteNodeException} with one line when something cannot be opened.
     */
    public static SiteNode start(SiteConfig config, Kit kit, SiteSettings federation) {
        var st = config.store();
        SiteKeystore keystore;
        try {
            keystore = SiteKeystore.open(st.keystore(), Secret.parse(st.keystorePassword().toString()));
        } catch (RuntimeException e) {
            throw new SiteNodeException("cannot open the site keystore " + st.keystore() + ": " + e.getMessage()
                    + "; fix store.keystore/store.keystorePassword in " + config.file()
                    + " or create the site with 'medveil site init'", e);
        }
        CipherSuite configured = CipherSuite.fromName(st.cipher() == org.medveil.site.config.SiteConfigFile.CipherSuite.SM4_GCM
                ? "sm4-gcm" : "aes-256-gcm");
        if (keystore.suite() != configured) {
            throw new SiteNodeException("the keystore " + st.keystore() + " holds a " + keystore.suite().configName()
                    + " master key but store.cipher in " + config.file() + " says " + configured.configName()
                    + "; set store.cipher to " + keystore.suite().configName(), null);
        }
        ObjectStore store;
        try {
            store = ObjectStore.open(st.dataFolder(), keystore);
        } catch (RuntimeException e) {
            throw new SiteNodeException("cannot open the store " + st.dataFolder() + ": " + e.getMessage(), e);
        }
        AuditLog audit;
        try {
            audit = AuditLog.open(st.dataFolder().resolve("audit"), AuditSigner.of(kit));
        } catch (RuntimeException e) {
            store.close();
            throw new SiteNodeException("cannot open the audit log " + st.dataFolder().resolve("audit") + ": "
                    + e.getMessage(), e);
        }
        SiteNode node = new SiteNode(config, kit, keystore, store, audit);
        try {
            node.startIntake();
            if (federation != null) {
                node.jobs = new SiteJobs();
                node.jobs.connect(kit, config, store, audit, new StoreLocalTraining(store, audit,
                        StoreLocalTraining.profileDigest(config.deidProfile().source()),
                        new ConsentRules(ZoneId.systemDefault()), Clock.systemUTC(), config.modelsDir()),
                        () -> node.federation,
                        Clock.systemUTC(), keystore, node.bulkChannel(kit, federation));
                node.federation = FederationClient.start(kit, federation, node.jobs, SiteJobs.CAPABILITIES);
                node.federation.fatal().thenAccept(node.fatal::complete);
            }
            // Operators reach the store only through the local admin API (mTLS with user kits).
            PolicyOptions defaults = PolicyOptions.defaults();
            AccessPolicy policy = new AccessPolicy(new PolicyOptions(config.secondPersonForDestruction(),
                    defaults.consentMaxAge()));
            Path archiveRoot = AdminLifecycle.defaultArchiveRoot(config);
            node.admin = SiteAdminServer.start(kit, config.admin(), store, keystore, audit, policy,
                    Clock.systemDefaultZone(), AdminLifecycle.of(kit, store, audit, archiveRoot, policy.options()));
            var b = config.backup();
            node.housekeeping = Housekeeping.start(store, audit,
                    b.destination() == null ? null : new BackupSchedule(b.interval(), b.keep(), b.destination()),
                    new Archiver(store, audit, archiveRoot), config.archiveAfterDays(), Clock.systemUTC(),
                    Duration.ofSeconds(5), Duration.ofMinutes(10));
        } catch (RuntimeException | IOException e) {
            node.close();
            if (e instanceof KitRefusedException k) {
                throw k;
            }
            throw e instanceof SiteNodeException s ? s : new SiteNodeException("cannot start the site node: "
                    + e.getMessage(), e);
        }
        return node;
    }

    private void startIntake() throws IOException {
        ObjectStore.Recovery r = store.recovery();
        if (!r.orphans().isEmpty() || r.tempFilesRemoved() > 0) {
            // never acknowledged (the index commit is the last step of a put): safe to remove
            int removed = store.removeOrphans();
            LOG.info("store recovery: {} interrupted writes and {} unacknowledged objects removed",
                    r.tempFilesRemoved(), removed);
        }
        LookupKeys keys = new LookupKeys(keystore.pseudonymKey());
        StoreSink sink = new StoreSink(store, keys, DEFAULT_DATASET);
        IngestPipeline pipeline = new IngestPipeline(config.ingest(), config.deidProfile(), config.deidDecision(),
                projectKey(config), new Grader(SpecialDiseaseList.defaults()), keys::patient,
                new IndexConsentLookup(new ConsentRegistry(store.index()),
                        new ConsentRules(ZoneId.systemDefault())), sink,
                new AuditRecorder(audit, sink));
        inbox = new InboxWatcher(config.inbox(), pipeline, Duration.ofMillis(config.quietMillis()),
                Duration.ofSeconds(config.rescanSeconds())).start();
        var s = config.scp();
        if (s.enabled()) {
javax.net.ssl.SSLContext tls = null;
            if (s.tls()) {
                try {
                    tls = ScpTls.context(kit, s.tlsTrust());
                } catch (IllegalArgumentException e) {
                    throw new SiteNodeException("scp.tls in " + config.file() + ": " + e.getMessage(), e);
                }
            }
            scp = new StorageScp(ScpIngest.scpConfig(s, tls), new ScpIngest(pipeline)).start();
            LOG.info("C-STORE SCP {} listening on {}:{}{}", s.aeTitle(), s.bindAddress(), scp.port(),
                    s.tls() ? " (TLS, client certificates required)" : "");
        }
        LOG.info("site node ingesting: inbox {}, store {}", config.inbox(), store.dataDir());
    }

    /** The project key of site.yaml's deid.projectKey: 64 hex digits, or the raw bytes. */
    private static ProjectKey projectKey(SiteConfig config) {
        byte[] b;
        try {
            b = config.projectKey().read();
        } catch (RuntimeException e) {
            throw new SiteNodeException(e.getMessage(), e);
        }
        String text = new String(b, StandardCharsets.US_ASCII).strip();
        try {
            return new ProjectKey(text.matches("[0-9a-fA-F]{64}") ? HexFormat.of().parseHex(text) : b);
        } catch (IllegalArgumentException e) {
            throw new SiteNodeException("project key from " + config.projectKey() + " (deid.projectKey in "
                    + config.file() + "): " + e.getMessage(), e);
        }
    }

    /** Completes with one line when the node must stop (e.g. the coordinator revoked this site). */
    public CompletableFuture<String> fatal() {
        return fatal;
    }

    public ObjectStore store() { return store; }

    public SiteKeystore keystore() { return keystore; }

    public AuditLog audit() { return audit; }

    public SiteConfig config() { return config; }

    public Kit kit() { return kit; }

    /** Port the SCP listens on, or -1 when it is off. */
    /** The admin API's port (the configured one, or the one bound when it was 0). */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public int scpPort() {
        return scp == null ? -1 : scp.port();
    }

    /** Stops the admin API and intake (SCP, inbox, coordinator link), then closes the audit log with a checkpoint, then the store. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (AutoCloseable c : new AutoCloseable[] {admin, scp, inbox, federation, jobs, housekeeping, audit, store}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                LOG.error("while stopping {}: {}", c.getClass().getSimpleName(), e.getMessage());
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
                }
            }
        }
        if (bulk != null) {
            bulk.shutdownNow();
        }
        LOG.info("site node stopped");
        if (first != null) {
            throw first;
        }
    }
}
