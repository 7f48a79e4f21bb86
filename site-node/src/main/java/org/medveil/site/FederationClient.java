package org.medveil.site;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PkiException;
import org.medveil.proto.BuildInfo;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.proto.federation.FederationGrpc;
import org.medveil.proto.federation.Goodbye;
import org.medveil.proto.federation.Heartbeat;
import org.medveil.proto.federation.Hello;
import org.medveil.proto.federation.SiteMessage;
import org.medveil.proto.federation.SoftwareVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
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
 * asks for, and reconnection with exponential backoff and jitter whenever the stream ends.
 */
public final class FederationClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FederationClient.class);
    public static final List<String> CAPABILITIES = List.of("heartbeat/v1");

    public enum State { CONNECTING, CONNECTED, WAITING, STOPPED }

    private final Kit kit;
    private final SiteSettings settings;
    private final HostNames.HostPort target;
    private final ManagedChannel channel;
    private final FederationGrpc.FederationStub stub;
    private final ScheduledExecutorService timer;
    private final BuildInfo build = BuildInfo.current();
    private final AtomicLong sessionsOpened = new AtomicLong();

    private volatile State state = State.CONNECTING;
    private volatile String sessionId;
    private volatile Instant lastAck;
    private int failedAttempts;
    private Link link;

    private FederationClient(Kit kit, SiteSettings settings, HostNames.HostPort target, ManagedChannel channel) {
        this.kit = kit;
        this.settings = settings;
        this.target = target;
        this.channel = channel;
        this.stub = FederationGrpc.newStub(channel);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "site-federation");
            t.setDaemon(true);
            return t;
        });
    }

    public static FederationClient start(Kit kit, SiteSettings settings) {
        if (kit.identity().kind() != Kind.SITE) {
            throw new PkiException("kit " + kit.dir() + " belongs to " + kit.identity().describe()
                    + "; 'site serve' needs a site kit");
        }
        HostNames.HostPort target = settings.coordinator() != null
                ? HostNames.parse(settings.coordinator()) : kit.coordinatorAddress();
        if (kit.certificate().getNotAfter().toInstant().isBefore(Instant.now())) {
            LOG.warn("this site's certificate expired on {}; the coordinator will refuse it until the project admin"
                    + " renews the kit ('medveil provision renew {}')", kit.certificate().getNotAfter().toInstant(),
                    kit.identity().name());
        }
        ManagedChannel channel = CoordinatorChannel.open(kit, target);
        FederationClient client = new FederationClient(kit, settings, target, channel);
        client.timer.execute(client::connect);
        return client;
    }

    public State state() {
        return state;
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

    private void connect() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        channel.resetConnectBackoff(); // our own backoff decides when to try, not the channel's
        Link l = new Link();
        link = l;
        l.up = stub.session(l);
        l.send(SiteMessage.newBuilder().setHello(Hello.newBuilder()
                .setSiteName(kit.identity().name())
                .setSoftware(SoftwareVersion.newBuilder().setVersion(build.version()).setProtocol(build.protocol()))
                .addAllCapabilities(CAPABILITIES)));
    }

    /** Runs on the client's own thread; after close() there is nothing left to do, so late callbacks are dropped. */
    private void onTimer(Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    private void lost(Link l, Status status) {
        onTimer(() -> {
            if (l.heartbeats != null) {
                l.heartbeats.cancel(false);
            }
            if (state == State.STOPPED || link != l) {
                return;
            }
            sessionId = null;
            long delay = backoffMillis(failedAttempts++);
            state = State.WAITING;
            LOG.warn("no session with coordinator {}: {}; retrying in {} ms", target, describe(status), delay);
            timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        });
    }

    private long backoffMillis(int attempt) {
        long base = Math.min(settings.reconnectMaxMillis(),
                (long) settings.reconnectInitialMillis() << Math.min(attempt, 20));
        // Jitter in [base/2, base] so sites restarted together do not reconnect in lockstep.
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    private static String describe(Status s) {
        StringBuilder b = new StringBuilder(s.getCode().toString());
        if (s.getDescription() != null) {
            b.append(" (").append(s.getDescription()).append(')');
        }
        Throwable root = s.getCause();
        while (root != null && root.getCause() != null) {
            root = root.getCause();
        }
        if (root != null && root.getMessage() != null) {
            b.append(": ").append(root.getMessage());
        }
        if (s.getCode() == Status.Code.UNAUTHENTICATED || s.getCode() == Status.Code.PERMISSION_DENIED) {
            b.append("; the coordinator refused this site's certificate: ask the project admin for a renewed kit");
        }
        return b.toString();
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
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** One attempt at a session: the upstream we write to and the downstream we read. */
    private final class Link implements StreamObserver<CoordinatorMessage> {
        private StreamObserver<SiteMessage> up;
        private long sequence;
        private boolean done;
        private volatile ScheduledFuture<?> heartbeats;

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

        @Override
        public void onNext(CoordinatorMessage m) {
            switch (m.getBodyCase()) {
                case WELCOME -> onTimer(() -> {
                    if (link != this || state == State.STOPPED) {
                        return;
                    }
                    sessionId = m.getWelcome().getSessionId();
                    failedAttempts = 0;
                    state = State.CONNECTED;
                    sessionsOpened.incrementAndGet();
                    int every = Math.max(1, m.getWelcome().getHeartbeatIntervalSeconds());
                    heartbeats = timer.scheduleAtFixedRate(() -> send(SiteMessage.newBuilder().setHeartbeat(
                            Heartbeat.newBuilder().setSentAt(now()))), every, every, TimeUnit.SECONDS);
                    LOG.info("connected to coordinator {} as site {} (session {}, coordinator software {})", target,
                            kit.identity().name(), sessionId, m.getWelcome().getCoordinatorSoftware().getVersion());
                });
                case HEARTBEAT_ACK -> lastAck = Instant.now();
                case GOODBYE -> LOG.info("coordinator ends the session: {} {}", m.getGoodbye().getReason(),
                        m.getGoodbye().getDetail());
                default -> LOG.warn("ignoring a message type this site does not know: {}", m.getBodyCase());
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                done = true;
            }
            lost(this, Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            complete();
            lost(this, Status.UNAVAILABLE.withDescription("coordinator closed the session"));
        }

        private com.google.protobuf.Timestamp now() {
            Instant i = Instant.now();
            return com.google.protobuf.Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
        }
    }
}
