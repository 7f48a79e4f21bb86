package org.medveil.coordinator;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.medveil.governance.pki.PeerRefusedException;
import org.medveil.governance.pki.PeerVerifier;
import org.medveil.governance.pki.Kind;
import org.medveil.proto.BuildInfo;
import org.medveil.proto.Capabilities;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.proto.federation.FederationGrpc;
import org.medveil.proto.federation.Goodbye;
import org.medveil.proto.federation.HeartbeatAck;
import org.medveil.proto.federation.SiteMessage;
import org.medveil.proto.federation.SoftwareVersion;
import org.medveil.proto.federation.Welcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The site-facing {@code Session} stream. One live session per site: a new session from the
 * same site replaces the old one. Sessions that stop sending heartbeats, or whose certificate
 * gets revoked, are closed by {@link #sweep()}.
 */
final class FederationService extends FederationGrpc.FederationImplBase
        implements org.medveil.coordinator.jobs.SiteSessions {

    /** Where job and round messages from sites go, and who hears of (re)connected sites. */
    interface SiteMessages {
        SiteMessages NONE = new SiteMessages() {
            @Override
            public void connected(String site) {
            }

            @Override
            public void message(String site, SiteMessage m) {
            }
        };

        void connected(String site);

        void message(String site, SiteMessage m);
    }

    private volatile SiteMessages handler = SiteMessages.NONE;

    void handler(SiteMessages handler) {
        this.handler = handler;
    }

    @Override
    public boolean send(String site, CoordinatorMessage.Builder message) {
        SiteSession s = sessions.get(site);
        if (s == null) {
            return false;
        }
        return s.send(message);
    }

    @Override
    public Set<String> connectedWith(String capability) {
        Set<String> out = new java.util.TreeSet<>();
        sessions.forEach((site, s) -> {
            if (s.capabilities.contains(capability)) {
                out.add(site);
            }
        });
        return out;
    }

    private static final Logger LOG = LoggerFactory.getLogger(FederationService.class);

    private final String project;
    private final SiteRegistry registry;
    private final PeerVerifier verifier;
    private final Clock clock;
    private final int heartbeatSeconds;
    private final Duration heartbeatTimeout;
    private final BuildInfo build = BuildInfo.current();
    private final Map<String, SiteSession> sessions = new ConcurrentHashMap<>();

    FederationService(String project, SiteRegistry registry, PeerVerifier verifier, Clock clock,
                      int heartbeatSeconds, Duration heartbeatTimeout) {
        this.project = project;
        this.registry = registry;
        this.verifier = verifier;
        this.clock = clock;
        this.heartbeatSeconds = heartbeatSeconds;
        this.heartbeatTimeout = heartbeatTimeout;
    }

    @Override
    public StreamObserver<SiteMessage> session(StreamObserver<CoordinatorMessage> out) {
        CallerInterceptor.Caller caller = CallerInterceptor.CALLER.get();
        return new SiteSession(caller, (ServerCallStreamObserver<CoordinatorMessage>) out);
    }

    /** Closes stale sessions and sessions whose certificate is no longer acceptable. */
    void sweep() {
        Instant now = clock.instant();
        for (SiteSession s : sessions.values()) {
            try {
                verifier.verify(s.caller.certificate(), Set.of(Kind.SITE));
            } catch (PeerRefusedException e) {
                CallerInterceptor.SECURITY.atWarn().addKeyValue("event", "session-closed")
                        .addKeyValue("reason", e.reason().name()).addKeyValue("site", s.site)
                        .addKeyValue("fingerprint", e.fingerprint())
                        .log("closing session of site {}: {}", s.site, e.getMessage());
                Goodbye.Builder g = Goodbye.newBuilder().setDetail(e.reason().text()
                        + (e.at() == null ? "" : " on " + e.at()));
                if (e.reason() == PeerRefusedException.Reason.EXPIRED) {
                    g.setReason(Goodbye.Reason.CERTIFICATE_EXPIRED);
                } else {
                    g.setReason(Goodbye.Reason.REVOKED);
                    if (e.at() != null) {
                        g.setRevokedAt(Timestamps.of(e.at()));
                    }
                }
                s.end(g, Status.UNAUTHENTICATED);
                continue;
            }
            if (Duration.between(s.lastHeard, now).compareTo(heartbeatTimeout) > 0) {
                LOG.warn("closing session of site {}: no heartbeat for {} s", s.site, heartbeatTimeout.toSeconds());
                s.end(goodbye(Goodbye.Reason.HEARTBEAT_TIMEOUT, "no heartbeat within " + heartbeatTimeout.toSeconds() + " s"),
                        Status.DEADLINE_EXCEEDED);
            }
        }
    }

    /** Tells every site the coordinator is going away, so they reconnect promptly. */
    void shutdown() {
        sessions.values().forEach(s -> s.end(goodbye(Goodbye.Reason.SHUTDOWN, "coordinator shutting down"),
                Status.UNAVAILABLE));
    }

    private static Goodbye.Builder goodbye(Goodbye.Reason reason, String detail) {
        return Goodbye.newBuilder().setReason(reason).setDetail(detail);
    }

    int liveSessions() {
        return sessions.size();
    }

    private final class SiteSession implements StreamObserver<SiteMessage> {
        private final CallerInterceptor.Caller caller;
        private final String site;
        private final ServerCallStreamObserver<CoordinatorMessage> out;
        private final String id = UUID.randomUUID().toString();
        private volatile Instant lastHeard;
        private volatile String software;
        private volatile java.util.List<String> capabilities = java.util.List.of();
        private long sent;
        private boolean welcomed;
        private boolean ended;
        private final Set<String> ignoredKinds = ConcurrentHashMap.newKeySet();

        SiteSession(CallerInterceptor.Caller caller, ServerCallStreamObserver<CoordinatorMessage> out) {
            this.caller = caller;
            this.site = caller.identity().name();
            this.out = out;
            this.lastHeard = clock.instant();
            out.setOnCancelHandler(this::closed);
        }

        @Override
        public void onNext(SiteMessage m) {
            lastHeard = clock.instant();
            switch (m.getBodyCase()) {
                case HELLO -> hello(m);
                case HEARTBEAT -> {
                    if (!welcomed) {
                        end(goodbye(Goodbye.Reason.PROTOCOL_ERROR, "the first message must be a hello"), Status.FAILED_PRECONDITION);
                        return;
                    }
                    registry.heartbeat(site);
                    send(CoordinatorMessage.newBuilder().setHeartbeatAck(
                            HeartbeatAck.newBuilder().setReceivedAt(Timestamps.of(lastHeard))));
                }
                case JOB_DECISION, ROUNDS -> {
                    if (welcomed) {
                        handler.message(site, m);
                    }
                }
                case GOODBYE -> {
                    LOG.info("site {} said goodbye: {}", site, m.getGoodbye().getReason());
                    end(null, null);
                }
                default -> ignore(m);
            }
        }

        /**
         * A message this build does not know (a newer site's): ignored, and logged once per kind
         * per session, so a mixed-version federation keeps running without flooding the log.
         */
        private void ignore(SiteMessage m) {
            String kind = m.getUnknownFields().asMap().keySet().stream().map(n -> "field " + n).findFirst()
                    .orElse("an empty message");
            if (ignoredKinds.add(kind)) {
                LOG.info("site {} sent a message this coordinator does not know ({}); ignored. The site runs"
                        + " newer software ({}); features in use are only those both sides announced", site, kind,
                        software == null ? "version unknown" : software);
            }
        }

        private void hello(SiteMessage m) {
            if (welcomed) {
                end(goodbye(Goodbye.Reason.PROTOCOL_ERROR, "hello sent twice"), Status.FAILED_PRECONDITION);
                return;
            }
            String claimed = m.getHello().getSiteName();
            if (!claimed.equals(site)) {
                // Identity is the certificate's; a different claimed name means a mixed-up kit.
                CallerInterceptor.SECURITY.warn("refused session: certificate names site {} but hello claims another"
                        + " name; certificate sha256:{}", site, caller.fingerprint());
                end(goodbye(Goodbye.Reason.PROTOCOL_ERROR, "hello names a site other than the certificate"),
                        Status.PERMISSION_DENIED);
                return;
            }
            welcomed = true;
            software = m.getHello().getSoftware().getVersion();
            capabilities = Capabilities.negotiate(Capabilities.THIS_BUILD, m.getHello().getCapabilitiesList());
            SiteSession previous = sessions.put(site, this);
            if (previous != null && previous != this) {
                // Newest wins: a restarted site must not wait for its dead session to time out.
                // The replaced instance is told where the new one connects from, so a kit started
                // twice stops itself instead of the two taking turns forever.
                LOG.warn("site {}: a new session from {} replaces the session from {} (session {}); if this"
                        + " repeats, the kit runs twice", site, caller.host(), previous.caller.host(), previous.id);
                previous.end(goodbye(Goodbye.Reason.REPLACED, "another instance of site " + site
                        + " connected from " + caller.host()).setPeerHost(caller.host()), Status.ABORTED);
            }
            registry.connected(site, id, m.getHello().getSoftware().getVersion(), m.getHello().getCapabilitiesList(),
                    caller.fingerprint(), caller.certificate().getSerialNumber(),
                    caller.certificate().getNotAfter().toInstant());
            LOG.atInfo().addKeyValue("event", "site-connected").addKeyValue("site", site)
                    .addKeyValue("session", id).addKeyValue("peer", caller.host())
                    .addKeyValue("fingerprint", caller.fingerprint())
                    .log("site {} connected from {} (session {}, software {}, certificate sha256:{})", site,
                            caller.host(), id, m.getHello().getSoftware().getVersion(), caller.fingerprint());
            send(CoordinatorMessage.newBuilder().setWelcome(Welcome.newBuilder()
                    .setSessionId(id).setProject(project).setHeartbeatIntervalSeconds(heartbeatSeconds)
                    .addAllCapabilities(capabilities)
                    .setCoordinatorSoftware(SoftwareVersion.newBuilder()
                            .setVersion(build.version()).setProtocol(build.protocol()))));
            handler.connected(site);
        }

        @Override
        public void onError(Throwable t) {
            closed();
        }

        @Override
        public void onCompleted() {
            end(null, null);
        }

        private synchronized boolean send(CoordinatorMessage.Builder m) {
            if (ended) {
                return false;
            }
            out.onNext(m.setSequence(++sent).build());
            return true;
        }

        /** Ends the session: optional goodbye, then an error status or a normal completion. */
        synchronized void end(Goodbye.Builder goodbye, Status status) {
            if (ended) {
                return;
            }
            try {
                if (goodbye != null) {
                    out.onNext(CoordinatorMessage.newBuilder().setSequence(++sent).setGoodbye(goodbye).build());
                }
                if (status != null) {
                    out.onError(status.withDescription(goodbye == null ? null : goodbye.getDetail()).asRuntimeException());
                } else {
                    out.onCompleted();
                }
            } catch (RuntimeException e) {
                // The stream may already be cancelled by the peer; nothing more to tell it.
            }
            ended = true;
            closed();
        }

        private void closed() {
            ended = true;
            if (sessions.remove(site, this)) {
                LOG.info("site {} disconnected (session {})", site, id);
            }
            registry.disconnected(site, id);
        }
    }
}
