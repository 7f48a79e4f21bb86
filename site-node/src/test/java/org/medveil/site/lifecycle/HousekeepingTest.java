package org.medveil.site.lifecycle;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.audit.AuditLog;
import org.medveil.site.store.ObjectMeta;
import org.medveil.site.store.ObjectStore;
import org.medveil.site.store.StoredObject;
import org.medveil.site.store.StoredObjectKind;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon's timer: scheduled backup sets, daily archiving, one line per failure. */
class HousekeepingTest {

    @TempDir
    Path tmp;
    private LifecycleFixture fx;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void site() {
        fx = new LifecycleFixture(tmp);
        log.start();
        ((Logger) LoggerFactory.getLogger(Housekeeping.class)).addAppender(log);
    }

    @AfterEach
    void detach() {
        ((Logger) LoggerFactory.getLogger(Housekeeping.class)).detachAppender(log);
    }

    private long lines(String text) {
        return log.list.stream().filter(e -> e.getFormattedMessage().contains(text)).count();
    }

    @Test
    @Tag("REQ-STO-3")
    @Tag("REQ-ARC-1")
    void backupWhenDueArchiveOnceADayKeepTheNewestSets() throws Exception {
        Path dest = tmp.resolve("backups");
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            StoredObject old = store.put(StoredObjectKind.ORIGINAL, new byte[] {1, 2, 3}, ObjectMeta.of("ds"));
            StoredObject recent = store.put(StoredObjectKind.ORIGINAL, new byte[] {4, 5, 6}, ObjectMeta.of("ds"));
            // the first object came in 400 days ago
            store.index().transaction(c -> {
                try (var ps = c.prepareStatement("UPDATE objects SET created_at = ? WHERE id = ?")) {
                    ps.setString(1, Instant.now().minus(Duration.ofDays(400)).toString());
                    ps.setString(2, old.id());
                    return ps.executeUpdate();
                }
            });
            BackupSchedule schedule = new BackupSchedule(Duration.ofSeconds(1), 2, dest);
            Housekeeping h = Housekeeping.start(store, audit, schedule, new Archiver(store, audit, tmp.resolve("archive")),
                    365, Clock.systemUTC(), Duration.ofDays(1), Duration.ofDays(1));
            try {
                h.pass();
                assertEquals(1, schedule.sets().size(), "the first pass makes a set");
                assertEquals(StoredObject.State.ARCHIVED, store.find(old.id()).orElseThrow().state());
                assertEquals(StoredObject.State.ACTIVE, store.find(recent.id()).orElseThrow().state());
                h.pass();
                assertEquals(1, schedule.sets().size(), "not due again within the interval");
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(1100); // the interval, and set names carry the UTC second
                    h.pass();
                }
                assertEquals(2, schedule.sets().size(), "pruned to keep=2");
                assertEquals(4, lines("backup: set"));
                assertEquals(1, lines("archive: 1 objects older than 365 days"), "archiving runs once a day");
            } finally {
                h.close();
            }
        }
    }

    @Test
    void aFailingBackupIsLoggedOnceAndDoesNotStopThePasses() throws Exception {
        Path dest = tmp.resolve("not-a-folder");
        Files.writeString(dest, "a file where the backup volume should be");
        try (ObjectStore store = fx.openStore(); AuditLog audit = fx.openAudit()) {
            StoredObject old = store.put(StoredObjectKind.ORIGINAL, new byte[] {4, 5, 6}, ObjectMeta.of("ds"));
            store.index().transaction(c -> {
                try (var ps = c.prepareStatement("UPDATE objects SET created_at = ? WHERE id = ?")) {
                    ps.setString(1, Instant.now().minus(Duration.ofDays(400)).toString());
                    ps.setString(2, old.id());
                    return ps.executeUpdate();
                }
            });
            Housekeeping h = Housekeeping.start(store, audit, new BackupSchedule(Duration.ofHours(1), 3, dest),
                    new Archiver(store, audit, tmp.resolve("archive")), 365, Clock.systemUTC(), Duration.ofDays(1),
                    Duration.ofDays(1));
            try {
                h.pass();
                h.pass();
                h.pass();
            } finally {
                h.close();
            }
            assertEquals(1, lines("housekeeping: backup failed"), log.list.toString());
            assertEquals(StoredObject.State.ARCHIVED, store.find(old.id()).orElseThrow().state(),
                    "archiving runs although the backup failed");
            assertTrue(store.put(StoredObjectKind.ORIGINAL, new byte[] {7}, ObjectMeta.of("ds")) != null,
                    "the store still takes objects");
        }
    }
}
