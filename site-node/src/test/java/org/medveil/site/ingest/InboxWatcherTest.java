package org.medveil.site.ingest;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.site.config.IngestProfile;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inbox with real files and a real file system; the sink keeps objects in memory. */
class InboxWatcherTest {
    @TempDir
    Path dir;

    private final MemorySink sink = new MemorySink();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final List<InboxWatcher> watchers = new ArrayList<>();
    private Path inbox;
    private byte[] ct;
    private byte[] mr;

    @BeforeEach
    void setUp() throws IOException {
        inbox = dir.resolve("inbox");
        ct = Files.readAllBytes(Pipelines.testFile("CT_small.dcm"));
        mr = Files.readAllBytes(Pipelines.testFile("MR_small.dcm"));
        log.start();
        ((Logger) LoggerFactory.getLogger(InboxWatcher.class)).addAppender(log);
    }

    @AfterEach
    void tearDown() {
        watchers.forEach(InboxWatcher::close);
        ((Logger) LoggerFactory.getLogger(InboxWatcher.class)).detachAppender(log);
    }

    private InboxWatcher start(IngestProfile profile, long quietMillis) throws IOException {
        IngestPipeline p = Pipelines.create(dir.resolve("site"), profile, ConsentLookup.NONE, sink, IngestRecorder.NONE);
        InboxWatcher w = new InboxWatcher(inbox, p, Duration.ofMillis(quietMillis), Duration.ofSeconds(1)).start();
        watchers.add(w);
        return w;
    }

    @Test
    void aStoredFileLeavesTheInboxOnlyAfterTheSinkReturned() throws Exception {
        AtomicBoolean presentDuringStore = new AtomicBoolean();
        Path file = inbox.resolve("study/CT_small.dcm");
        sink.onStore = () -> presentDuringStore.set(Files.exists(file));
        sink.delayMillis = 300;
        start(Pipelines.modalities("CT", "MR"), 300);
        Files.createDirectories(file.getParent());
        Files.write(file, ct);
        await(() -> sink.objects.size() == 1, "object stored");
        assertTrue(presentDuringStore.get(), "the inbox file was gone before the sink had made the object durable");
        await(() -> !Files.exists(file), "file removed from the inbox after storing");
        assertTrue(Arrays.equals(ct, sink.objects.values().iterator().next().original()));
        assertEquals("study/CT_small.dcm", sink.objects.values().iterator().next().provenance().source().inboxPath());
    }

    @Test
    void aRefusedFileMovesToRefusedWithItsReasonAndIsNeverRetried() throws Exception {
        InboxWatcher w = start(Pipelines.modalities("CT"), 200);
        Path file = inbox.resolve("a/b/MR_small.dcm");
        Files.createDirectories(file.getParent());
        Files.write(file, mr);
        Path moved = inbox.resolve(".refused/a/b/MR_small.dcm");
        await(() -> Files.exists(moved), "refused file moved");
        assertFalse(Files.exists(file));
        assertTrue(Arrays.equals(mr, Files.readAllBytes(moved)));
        String reason = Files.readString(inbox.resolve(".refused/a/b/MR_small.dcm.reason.txt"));
        assertTrue(reason.startsWith("modality MR not in the ingest profile"), reason);
        long scans = w.scanCount();
        Thread.sleep(1000); // several quiet periods (200 ms) and rescans (1 s)
        await(() -> w.scanCount() >= scans + 3, "three more scans");
        assertEquals(1, sink.refusals.size(), "a refused file must not be taken again");
        assertEquals(1, w.refusedCount());
        // the same name refused again keeps the first one and its reason
        Files.write(file, mr);
        await(() -> Files.exists(inbox.resolve(".refused/a/b/MR_small.dcm~2")), "second refusal beside the first");
        assertTrue(Files.exists(inbox.resolve(".refused/a/b/MR_small.dcm~2.reason.txt")));
        assertNoPathsOrPhiLogged();
    }

    @Test
    void aFileWrittenSlowlyInPiecesIsNotTakenHalfWritten() throws Exception {
        start(IngestProfile.ANY, 600);
        Path file = inbox.resolve("slow.dcm");
        Files.createDirectories(inbox);
        try (OutputStream out = Files.newOutputStream(file)) {
            int step = ct.length / 8 + 1;
            for (int off = 0; off < ct.length; off += step) {
                out.write(ct, off, Math.min(step, ct.length - off));
                out.flush();
                Thread.sleep(250); // pauses shorter than the quiet period
            }
        }
        await(() -> sink.objects.size() + sink.refusals.size() > 0, "file taken");
        Thread.sleep(300);
        assertEquals(List.of(), sink.refusals.stream().map(IngestOutcome.Refused::reason).toList(),
                "a half-written file was taken");
        assertEquals(1, sink.objects.size());
        assertEquals(IngestPipeline.sha256(ct), sink.objects.values().iterator().next().provenance().sha256());
    }

    @Test
    void hiddenAndPartFilesWaitUntilRenamed() throws Exception {
        InboxWatcher w = start(IngestProfile.ANY, 100);
        Files.createDirectories(inbox);
        Path part = inbox.resolve("x.dcm.part");
        Path hidden = inbox.resolve(".y.dcm");
        Files.write(part, ct);
        Files.write(hidden, mr);
        long scans = w.scanCount();
        await(() -> w.scanCount() >= scans + 3, "three scans");
        Thread.sleep(300);
        assertTrue(sink.objects.isEmpty() && sink.refusals.isEmpty());
        assertTrue(Files.exists(part) && Files.exists(hidden));
        Files.move(part, inbox.resolve("x.dcm"), StandardCopyOption.ATOMIC_MOVE);
        await(() -> sink.objects.size() == 1, "renamed file ingested");
        assertTrue(Files.exists(hidden));
    }

    @Test
    void survivesTheInboxBeingDeletedAndRecreated() throws Exception {
        start(IngestProfile.ANY, 100);
        Files.createDirectories(inbox.resolve("sub"));
        Thread.sleep(300);
        deleteTree(inbox);
        await(() -> Files.isDirectory(inbox), "inbox created again");
        Files.createDirectories(inbox.resolve("again"));
        Files.write(inbox.resolve("again/CT_small.dcm"), ct);
        await(() -> sink.objects.size() == 1, "file in the recreated inbox ingested");
        long missing = log.list.stream().filter(e -> e.getFormattedMessage().contains("is missing")).count();
        assertEquals(1, missing, "one line for the missing inbox");
    }

    @Test
    void aFailingSinkKeepsTheFileLogsOnceAndRetries() throws Exception {
        sink.fail.set(true);
        InboxWatcher w = start(IngestProfile.ANY, 100);
        Files.createDirectories(inbox);
        Path file = inbox.resolve("CT_small.dcm");
        Files.write(file, ct);
        await(() -> log.list.stream().anyMatch(e -> e.getFormattedMessage().contains("could not be stored")), "failure logged");
        long scans = w.scanCount();
        await(() -> w.scanCount() >= scans + 3, "retries");
        Thread.sleep(1500);
        assertTrue(Files.exists(file), "the file must stay while the sink fails");
        assertEquals(1, log.list.stream().filter(e -> e.getFormattedMessage().contains("could not be stored")).count(),
                "one line per failure, not one per retry");
        sink.fail.set(false);
        await(() -> sink.objects.size() == 1 && !Files.exists(file), "stored after the sink recovered");
        assertNoPathsOrPhiLogged();
    }

    /**
     * A file the process may not read. Root reads files whatever their mode, so as root (how CI
     * runs) the watcher gets a reader that refuses this one file the way the OS would
     * (AccessDeniedException) until the test lifts it; otherwise the file's mode does it for real.
     */
    @Test
    void anUnreadableFileIsLoggedOnceAndTakenWhenReadable() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        java.util.concurrent.atomic.AtomicBoolean denied = new java.util.concurrent.atomic.AtomicBoolean(root);
        IngestPipeline p = Pipelines.create(dir.resolve("site"), IngestProfile.ANY, ConsentLookup.NONE, sink,
                IngestRecorder.NONE);
        InboxWatcher w = new InboxWatcher(inbox, p, Duration.ofMillis(100), Duration.ofSeconds(1), f -> {
            if (denied.get() && f.getFileName().toString().equals("locked.dcm")) {
                throw new java.nio.file.AccessDeniedException(f.toString());
            }
            return Files.readAllBytes(f);
        }).start();
        watchers.add(w);
        Files.createDirectories(inbox);
        Path file = inbox.resolve("locked.dcm");
        Files.write(file, ct);
        if (!root) {
            Files.setPosixFilePermissions(file, java.util.Set.of());
        }
        await(() -> log.list.stream().anyMatch(e -> e.getFormattedMessage().contains("cannot read the file")), "logged");
        long scans = w.scanCount();
        Thread.sleep(2500);
        await(() -> w.scanCount() >= scans + 2, "retries");
        assertEquals(1, log.list.stream().filter(e -> e.getFormattedMessage().contains("cannot read the file")).count());
        assertTrue(Files.exists(file), "an unreadable file stays in the inbox");
        assertEquals(0, sink.objects.size());
        if (root) {
            denied.set(false);
        } else {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        await(() -> sink.objects.size() == 1 && !Files.exists(file), "taken once readable");
    }

    private void assertNoPathsOrPhiLogged() {
        for (ILoggingEvent e : log.list) {
            String m = e.getFormattedMessage();
            if (m.startsWith("inbox: watching") || m.contains("is missing")) {
                continue; // the configured inbox folder itself
            }
            assertFalse(m.contains("MR_small") || m.contains("CT_small") || m.contains("CompressedSamples"), m);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(25);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
