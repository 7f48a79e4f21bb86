package org.medveil.coordinator;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefusalLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger("test.refusals");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final RefusalLog log = new RefusalLog(logger, clock, Duration.ofSeconds(60));

    @BeforeEach
    void attach() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private void refuse(String fp) {
        log.refused("cert:" + fp, "certificate sha256:" + fp, Map.of("fingerprint", fp),
                "refused TLS client: certificate revoked; certificate sha256:{}", fp);
    }

    @Test
    void aClientRetryingEverySecondCostsOneLineAMinute() {
        for (int s = 0; s < 600; s++) { // ten minutes of one refusal a second
            refuse("aaaa");
            now = now.plusSeconds(1);
            log.flush();
        }
        List<String> m = messages();
        assertEquals("refused TLS client: certificate revoked; certificate sha256:aaaa", m.get(0));
        assertTrue(m.size() <= 11, m.size() + " lines: " + m);
        assertTrue(m.get(1).matches("59 more refusal\\(s\\) of certificate sha256:aaaa in the last 60 s"), m.get(1));
        int counted = 1 + m.stream().skip(1).mapToInt(l -> Integer.parseInt(l.split(" ")[0])).sum();
        assertTrue(counted >= 599 && counted <= 600, "every refusal is counted once: " + counted);
    }

    @Test
    void keysAreIndependentAndAQuietKeyStartsAfresh() {
        refuse("aaaa");
        refuse("bbbb");
        refuse("aaaa");
        assertEquals(2, messages().size(), "first refusal of each certificate in full");
        now = now.plusSeconds(61);
        log.flush(); // summary of aaaa's second refusal; bbbb had none
        assertEquals("1 more refusal(s) of certificate sha256:aaaa in the last 61 s", messages().get(2));
        now = now.plusSeconds(61);
        log.flush(); // a whole quiet window: both keys forgotten
        refuse("aaaa");
        assertEquals("refused TLS client: certificate revoked; certificate sha256:aaaa", messages().get(3));
        assertEquals(4, messages().size());
    }

    @Test
    void structuredFieldsGoWithTheFirstLine() {
        refuse("cccc");
        assertEquals("cccc", lines.list.get(0).getKeyValuePairs().stream()
                .filter(kv -> kv.key.equals("fingerprint")).findFirst().orElseThrow().value);
    }
}
