package org.medveil.coordinator;

import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Security log lines for refusals, rate-limited per key (a certificate fingerprint, or the kind
 * of handshake failure and the client's address): the first refusal is logged in full, later
 * ones within {@code window} are only counted, and {@link #flush()} writes one summary line per
 * key and window ("N more refusals of ..."). A client retrying every second thus costs one
 * line a minute instead of sixty, and a key quiet for a whole window starts afresh.
 */
final class RefusalLog {

    private static final int MAX_KEYS = 10_000; // bounds memory under a flood of distinct keys

    private final Logger log;
    private final Clock clock;
    private final Duration window;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private static final class Entry {
        Instant windowStart;
        int suppressed;
        final String what;

        Entry(Instant start, String what) {
            this.windowStart = start;
            this.what = what;
        }
    }

    RefusalLog(Logger log, Clock clock, Duration window) {
        this.log = log;
        this.clock = clock;
        this.window = window;
    }

    /**
     * One refusal. {@code what} names the key for the summary line ("certificate sha256:..."),
     * {@code fields} are structured fields for JSON logs (names to values, no patient data),
     * {@code message}/{@code args} the full line written for the first refusal of a window.
     */
    void refused(String key, String what, Map<String, String> fields, String message, Object... args) {
        if (!admit(key, what)) {
            return;
        }
        LoggingEventBuilder b = log.atWarn().setMessage(message);
        for (Object a : args) {
            b = b.addArgument(a);
        }
        for (Map.Entry<String, String> f : fields.entrySet()) {
            b = b.addKeyValue(f.getKey(), f.getValue());
        }
        b.log();
    }

    private synchronized boolean admit(String key, String what) {
        Entry e = entries.get(key);
        if (e == null) {
            if (entries.size() >= MAX_KEYS) {
                Iterator<String> oldest = entries.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            entries.put(key, new Entry(clock.instant(), what));
            return true;
        }
        e.suppressed++;
        return false;
    }

    /** Writes the summary of every window that has ended; call it regularly (the coordinator does once a second). */
    void flush() {
        Instant now = clock.instant();
        Map<String, Integer> summaries = new LinkedHashMap<>();
        Map<String, Long> seconds = new LinkedHashMap<>();
        synchronized (this) {
            Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            while (it.hasNext()) {
                Entry e = it.next().getValue();
                Duration open = Duration.between(e.windowStart, now);
                if (open.compareTo(window) < 0) {
                    continue;
                }
                if (e.suppressed == 0) {
                    it.remove();
                    continue;
                }
                summaries.merge(e.what, e.suppressed, Integer::sum);
                seconds.put(e.what, open.toSeconds());
                e.suppressed = 0;
                e.windowStart = now;
            }
        }
        summaries.forEach((what, n) -> log.atWarn().addKeyValue("suppressed", String.valueOf(n))
                .log("{} more refusal(s) of {} in the last {} s", n, what, seconds.get(what)));
    }
}
