package org.medveil.coordinator.web;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.pki.Role;

/**
 * One-time login links and sessions, in memory (a coordinator restart signs everyone out).
 * Link tokens and session ids are 256-bit random values; only their SHA-256 is kept as the key,
 * so a lookup compares hashes, not the secret, and a heap dump holds no usable token.
 */
public final class ConsoleLogins {

    /** The person behind a link or session, from the certificate of the admin call that asked for it. */
    public record User(String name, Role role, String fingerprint, X509Certificate certificate) {
        public String describe() {
            return name + " (" + role.id() + ")";
        }
    }

    public record Session(String id, User user, Instant expires) {
    }

    /** Why a link was refused: never said to the browser in detail beyond "invalid, expired or used". */
    public enum Refusal { UNKNOWN, EXPIRED }

    public static final class RefusedException extends Exception {
        public final Refusal refusal;

        RefusedException(Refusal refusal) {
            super(refusal == Refusal.EXPIRED ? "login link expired" : "login link unknown or already used");
            this.refusal = refusal;
        }
    }

    private record Pending(User user, Instant expires) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration linkLifetime;
    private final Duration sessionLifetime;
    private final Map<String, Pending> links = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public ConsoleLogins(Clock clock, Duration linkLifetime, Duration sessionLifetime) {
        this.clock = clock;
        this.linkLifetime = linkLifetime;
        this.sessionLifetime = sessionLifetime;
    }

    private static String secret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String key(String secret) {
        return Sha256.hex(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** A new one-time token for {@code user}, valid for the link lifetime. */
    public String issue(User user) {
        sweep();
        String token = secret();
        links.put(key(token), new Pending(user, clock.instant().plus(linkLifetime)));
        return token;
    }

    public Instant linkExpiry() {
        return clock.instant().plus(linkLifetime);
    }

    /** Spends a token (whatever the outcome, it cannot be used again) and opens a session. */
    public Session redeem(String token) throws RefusedException {
        Pending p = token == null ? null : links.remove(key(token));
        if (p == null) {
            throw new RefusedException(Refusal.UNKNOWN);
        }
        if (!clock.instant().isBefore(p.expires())) {
            throw new RefusedException(Refusal.EXPIRED);
        }
        String id = secret();
        Session s = new Session(id, p.user(), clock.instant().plus(sessionLifetime));
        sessions.put(key(id), s);
        return s;
    }

    /** The live session with this id (the cookie's value), if any. */
    public Optional<Session> session(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        String k = key(id);
        Session s = sessions.get(k);
        if (s == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(s.expires())) {
            sessions.remove(k);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public void end(String id) {
        if (id != null) {
            sessions.remove(key(id));
        }
    }

    public Duration sessionLifetime() {
        return sessionLifetime;
    }

    private void sweep() {
        Instant now = clock.instant();
        links.values().removeIf(p -> !now.isBefore(p.expires()));
        sessions.values().removeIf(s -> !now.isBefore(s.expires()));
    }
}
