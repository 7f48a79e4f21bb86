package org.medveil.site;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PkiException;
import org.medveil.proto.BuildInfo;
import org.medveil.proto.Capabilities;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.proto.federation.FederationGrpc;
import org.medveil.proto.federation.Goodbye;
import org.medveil.proto.federation.Heartbeat;
import org.medveil.proto.federation.Hello;
import org.medveil.proto.federation.SiteMessage;
import org.medveil.proto.federation.SoftwareVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The site's link to the coordinator (REQ-TX-3: the site dials out and needs no inbound port).
 * Keeps one {@code Session} stream open: hello, heartbeats at the interval the coordinator
 * asks for, and reconnection with exponential backoff and jitter whenever the stream ends. Each
 * attempt uses a fresh channel that is shut down when the attempt ends, so nothing reconnects
 * behind this backoff.
 *
 * <p>It stops by itself, completing {@link #fatal()} with one line, when retrying cannot help:
 * the coordinator revoked this site's certificate or it expired, or another instance of the
 * same kit keeps taking over the session ({@value #REPLACED_LIMIT} replacements within
 * {@link #REPLACED_WINDOW}; the newest connection wins, the replaced one gives up).
 */
public final class FederationClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FederationClient.class);
    /** What this site announces; features are added here as the site implements them. */
    public static final List<String> CAPABILITIES = List.of(Capabilities.HEARTBEAT);
    static final int REPLACED_LIMIT = 3;
    static final Duration REPLACED_WINDOW = Duration.ofMinutes(10);

    public enum State { CONNECTING, CONNECTED, WAITING, STOPPED }

    private final Kit kit;
    private final SiteSettings settings;
    private final CoordinatorChannel channels;
    private final ScheduledExecutorService timer;
    private final BuildInfo build = BuildInfo.current();
    private final AtomicLong sessionsOpened = new AtomicLong();
    private final CompletableFuture<String> fatal = new CompletableFuture<>();
    private final Deque<Instant> replacements = new ArrayDeque<>();

    private volatile State state = State.CONNECTING;
    private volatile String sessionId;
    private volatile List<String> negotiated = List.of();
    private final java.util.Set<String> ignoredKinds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Instant lastAck;
    private volatile MessageHandler handler = MessageHandler.NONE;
    private volatile List<String> announced = CAPABILITIES;
    private int failedAttempts;
    private Link link;

    private FederationClient(Kit kit, SiteSettings settings, CoordinatorChannel channels) {
        this.kit = kit;
        this.settings = settings;
        this.channels = channels;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "site-federation");
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks the kit (a site kit, not expired, not revoked in its own CRL copy) and starts connecting. */
    public static FederationClient start(Kit kit, SiteSettings settings) {
        return start(kit, settings, MessageHandler.NONE, CAPABILITIES);
    }

    /** As {@link #start(Kit, SiteSettings)}, with a handler for job and round messages and the capabilities to announce. */
    public static FederationClient start(Kit kit, SiteSettings settings, MessageHandler handler, List<String> capabilities) {
        if (kit.identity().kind() != Kind.SITE) {
            throw new PkiException("kit " + kit.dir() + " belongs to " + kit.identity().describe()
                    + "; 'site serve' needs a site kit");
        }
        HostNames.HostPort target = settings.coordinator() != null
                ? HostNames.parse(settings.coordinator()) : kit.coordinatorAddress();
        Instant notAfter = kit.certificate().getNotAfter().toInstant();
        if (notAfter.isBefore(Instant.now())) {
            throw new KitRefusedException("this site's certificate expired on " + notAfter + "; the coordinator refuses it."
                    + " Ask the project admin to run 'medveil provision renew " + kit.identity().name()
                    + "' and start with the renewed kit");
        }
        CoordinatorChannel channels = CoordinatorChannel.forKit(kit, target);
        channels.crl().revocation(kit.certificate()).ifPresent(r -> {
            throw new KitRefusedException(r.shutOut()
                    ? "this site's certificate was revoked on " + r.at() + " (CRL in " + kit.dir() + "); the"
                    + " coordinator refuses it. Ask the project admin for a new kit"
                    : "this kit's certificate was replaced by a renewal on " + r.at() + "; use the renewed kit");
        });
        FederationClient client = new FederationClient(kit, settings, channels);
        client.handle(handler, capabilities);
        client.timer.execute(client::connect);
        return client;
    }

    /** Receives the coordinator's job and round messages, on the client's thread: hand long work off. */
    public interface MessageHandler {
        MessageHandler NONE = m -> { };

        void onMessage(CoordinatorMessage message);

        /** A session was welcomed (first connect or reconnect). */
        default void onConnected() {
        }
    }

    /**
     * Sets the handler for job and round messages and the capabilities this site announces from its
     * next session on (the site node sets them before the first connect completes).
     */
    public void handle(MessageHandler handler, List<String> capabilities) {
        this.handler = handler;
        this.announced = List.copyOf(capabilities);
    }

    /** Sends a message on the current session; false when there is none (the caller retries later). */
    public boolean send(SiteMessage.Builder message) {
        Link l = link;
        if (l == null || state != State.CONNECTED) {
            return false;
        }
        l.send(message);
        return true;
    }

    public State state() {
        return state;
    }

    /** The features both sides announced in the current session (empty before the first welcome). */
    public List<String> capabilities() {
        return negotiated;
    }

    public String sessionId() {
        return sessionId;
    }

    public Instant lastAck() {
        return lastAck;
    }

    /** How many sessions the coordinator has welcomed so far (1 after the first connect, 2 after a reconnect, ...). */
    public long sessionsOpened() {
        return sessionsOpened.get();
    }

    /** Completes with one line when the client stopped by itself because retrying cannot help; never on close(). */
    public CompletableFuture<String> fatal() {
        return fatal;
    }

    private void connect() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        Link l = new Link(channels.open());
        link = l;
        l.up = FederationGrpc.newStub(l.channel).session(l);
        l.send(SiteMessage.newBuilder().setHello(Hello.newBuilder()
                .setSiteName(kit.identity().name())
                .setSoftware(SoftwareVersion.newBuilder().setVersion(build.version()).setProtocol(build.protocol()))
                .addAllCapabilities(announced)));
    }

    private void deliver(java.util.function.Consumer<MessageHandler> call) {
        onTimer(() -> {
            try {
                call.accept(handler);
            } catch (RuntimeException e) {
                LOG.error("handling a message from the coordinator failed: {}", e.toString());
            }
        });
    }

    /** Runs on the client's own thread; after close() there is nothing left to do, so late callbacks are dropped. */
    private void onTimer(Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** The attempt on {@code l} ended; {@code goodbye} is what the coordinator said last, if anything. */
    private void lost(Link l, Status status, Throwable failure) {
        onTimer(() -> {
            l.dispose();
            if (state == State.STOPPED || link != l) {
                return;
            }
            sessionId = null;
            Goodbye bye = l.goodbye;
            String stop = bye != null ? stopFor(bye) : null;
            Refusal refusal = null;
            if (stop == null && bye == null) {
                refusal = channels.explain(failure != null ? failure : status.asRuntimeException());
                if (refusal.permanent()) {
                    stop = refusal.line();
                }
            }
            if (stop != null) {
                stopByItself(stop);
                return;
            }
            long delay = backoffMillis(failedAttempts++);
            state = State.WAITING;
            String why = bye != null ? "coordinator ended the session: " + bye.getReason() + " (" + bye.getDetail() + ")"
                    : refusal.line();
            LOG.warn("no session with the coordinator: {}; retrying in {} ms", why, delay);
            timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        });
    }

    /** What a goodbye means for this process: null to reconnect, or the line to stop with. */
    private String stopFor(Goodbye bye) {
        String site = kit.identity().name();
        switch (bye.getReason()) {
            case REVOKED:
                return "the coordinator revoked this site's certificate" + (bye.hasRevokedAt()
                        ? " on " + Instant.ofEpochSecond(bye.getRevokedAt().getSeconds(), bye.getRevokedAt().getNanos())
                        : "") + "; a revoked kit stays refused: ask the project admin for a new kit";
            case CERTIFICATE_EXPIRED:
                return "this site's certificate expired on " + kit.certificate().getNotAfter().toInstant()
                        + "; ask the project admin to run 'medveil provision renew " + site
                        + "' and restart with the renewed kit";
            case REPLACED: {
                Instant now = Instant.now();
                replacements.addLast(now);
                while (!replacements.isEmpty() && replacements.peekFirst().isBefore(now.minus(REPLACED_WINDOW))) {
                    replacements.removeFirst();
                }
                String host = bye.getPeerHost().isEmpty() ? "another host" : bye.getPeerHost();
                if (replacements.size() >= REPLACED_LIMIT) {
                    return "another instance of site " + site + " is connected from " + host + "; the coordinator"
                            + " replaced this one " + replacements.size() + " times in " + REPLACED_WINDOW.toMinutes()
                            + " min. Stop one of them: each site runs its kit once";
                }
                LOG.warn("another instance of site {} connected from {} and replaced this session ({} of {} before"
                        + " this one stops)", site, host, replacements.size(), REPLACED_LIMIT);
                return null;
            }
            default:
                return null;
        }
    }

    private void stopByItself(String line) {
        state = State.STOPPED;
        LOG.error("site node stopping: {}", line);
        timer.shutdownNow();
        fatal.complete(line);
    }

    private long backoffMillis(int attempt) {
        long base = Math.min(settings.reconnectMaxMillis(),
                (long) settings.reconnectInitialMillis() << Math.min(attempt, 20));
        // Jitter in [base/2, base] so sites restarted together do not reconnect in lockstep.
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    @Override
    public void close() {
        Link l = link;
        state = State.STOPPED;
        if (l != null) {
            l.send(SiteMessage.newBuilder().setGoodbye(Goodbye.newBuilder()
                    .setReason(Goodbye.Reason.SHUTDOWN).setDetail("site node stopping")));
            l.complete();
        }
        timer.shutdownNow();
        if (l != null) {
            l.channel.shutdown();
            try {
                if (!l.channel.awaitTermination(5, TimeUnit.SECONDS)) {
                    l.channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                l.channel.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One attempt at a session, on its own channel: the upstream we write to and the downstream we read. */
    private final class Link implements StreamObserver<CoordinatorMessage> {
        private final ManagedChannel channel;
        private StreamObserver<SiteMessage> up;
        private long sequence;
        private boolean done;
        private volatile ScheduledFuture<?> heartbeats;
        private volatile Goodbye goodbye;

        Link(ManagedChannel channel) {
            this.channel = channel;
        }

        synchronized void send(SiteMessage.Builder m) {
            if (!done) {
                up.onNext(m.setSequence(++sequence).build());
            }
        }

        synchronized void complete() {
            if (!done) {
                done = true;
                up.onCompleted();
            }
        }

        /** Ends this attempt for good: no heartbeats, and no channel left to reconnect by itself. */
        void dispose() {
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
            channel.shutdownNow();
        }

        @Override
        public void onNext(CoordinatorMessage m) {
            switch (m.getBodyCase()) {
                case WELCOME -> onTimer(() -> {
                    if (link != this || state == State.STOPPED) {
                        return;
                    }
                    sessionId = m.getWelcome().getSessionId();
                    negotiated = List.copyOf(m.getWelcome().getCapabilitiesList());
                    failedAttempts = 0;
                    state = State.CONNECTED;
                    sessionsOpened.incrementAndGet();
                    int every = Math.max(1, m.getWelcome().getHeartbeatIntervalSeconds());
                    heartbeats = timer.scheduleAtFixedRate(() -> send(SiteMessage.newBuilder().setHeartbeat(
                            Heartbeat.newBuilder().setSentAt(now()))), every, every, TimeUnit.SECONDS);
                    LOG.info("connected to coordinator {} as site {} (session {}, coordinator software {})",
                            channels.target(), kit.identity().name(), sessionId,
                            m.getWelcome().getCoordinatorSoftware().getVersion());
                    deliver(h -> h.onConnected());
                });
                case JOB_OFFER, JOB_CANCEL, ROUNDS -> deliver(h -> h.onMessage(m));
                case HEARTBEAT_ACK -> lastAck = Instant.now();
                case GOODBYE -> {
                    goodbye = m.getGoodbye();
                    LOG.info("coordinator ends the session: {} {}", goodbye.getReason(), goodbye.getDetail());
                }
                default -> {
                    // A newer coordinator's message: ignored, logged once per kind for this client.
                    String kind = m.getUnknownFields().asMap().keySet().stream().map(n -> "field " + n)
                            .findFirst().orElse("an empty message");
                    if (ignoredKinds.add(kind)) {
                        LOG.info("the coordinator sent a message this site does not know ({}); ignored", kind);
                    }
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                done = true;
            }
            lost(this, Status.fromThrowable(t), t);
        }

        @Override
        public void onCompleted() {
            complete();
            lost(this, Status.UNAVAILABLE.withDescription("coordinator closed the session"), null);
        }

        private com.google.protobuf.Timestamp now() {
            Instant i = Instant.now();
            return com.google.protobuf.Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
        }
    }
}
