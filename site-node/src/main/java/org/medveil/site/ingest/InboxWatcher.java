package org.medveil.site.ingest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Watches the inbox folder (recursively) and feeds every complete file to the {@link IngestPipeline}.
 * <ul>
 *   <li>Complete means: a regular file whose name does not start with '.' or end with
 *       {@code .part}, whose size and modification time have not changed for the quiet period.
 *       Writers that can should write under a hidden or {@code .part} name and rename.</li>
 *   <li>A stored file (or a duplicate of a held object) is deleted from the inbox only after the
 *       pipeline returned, i.e. after the sink made it durable.</li>
 *   <li>A refused file moves to {@code .refused/} in the inbox (same relative path, "~2"... when
 *       the name is taken) with a {@code .reason.txt} beside it; hidden folders are not scanned,
 *       so it is never retried. Deleting it there is the operator's choice.</li>
 *   <li>When the sink fails the file stays and is tried again after the rescan interval; the
 *       failure is logged once per file, not on every retry.</li>
 *   <li>The WatchService only wakes the loop early; a full rescan every rescan interval is the
 *       safety net (lost events, network folders). A deleted inbox is created again.</li>
 * </ul>
 * Log lines name objects by their SHA-256 prefix, never by path (inbox paths often hold names).
 */
public final class InboxWatcher implements AutoCloseable {
    /** Folder inside the inbox for refused files (hidden: the scan skips it). */
    public static final String REFUSED = ".refused";

    private static final Logger LOG = LoggerFactory.getLogger(InboxWatcher.class);

    private final Path inbox;
    private final IngestPipeline pipeline;
    private final long quietNanos;
    private final Duration rescan;
    private final Map<Path, Candidate> pending = new HashMap<>();
    private final Map<Path, WatchKey> watched = new HashMap<>();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong scans = new AtomicLong();
    private WatchService watcher;
    private Thread thread;
    private volatile boolean running;
    private boolean inboxMissingLogged;

    /** What was last seen of a file: unchanged for the quiet period means complete. */
    private record Candidate(long size, FileTime mtime, long sinceNanos, long retryAtNanos, String failure) {}

    /** How a complete file's bytes are read; tests stand in for a file the OS refuses to root. */
    @FunctionalInterface
    interface FileReader {
        byte[] read(Path file) throws IOException;
    }

    private final FileReader reader;

    public InboxWatcher(Path inbox, IngestPipeline pipeline, Duration quiet, Duration rescan) {
        this(inbox, pipeline, quiet, rescan, Files::readAllBytes);
    }

    InboxWatcher(Path inbox, IngestPipeline pipeline, Duration quiet, Duration rescan, FileReader reader) {
        this.reader = Objects.requireNonNull(reader);
        this.inbox = inbox.toAbsolutePath().normalize();
        this.pipeline = Objects.requireNonNull(pipeline);
        this.quietNanos = quiet.toNanos();
        this.rescan = rescan;
    }

    public synchronized InboxWatcher start() throws IOException {
        Files.createDirectories(inbox);
        watcher = inbox.getFileSystem().newWatchService();
        running = true;
        thread = new Thread(this::loop, "medveil-inbox");
        thread.setDaemon(true);
        thread.start();
        LOG.info("inbox: watching {} (quiet period {} ms, rescan every {} s)", inbox, quietNanos / 1_000_000,
                rescan.toSeconds());
        return this;
    }

    /** Objects stored (or found already held) and removed from the inbox. */
    public long storedCount() { return stored.get(); }

    /** Objects refused and moved to {@value #REFUSED}. */
    public long refusedCount() { return refused.get(); }

    /** Completed scans of the inbox (tests wait on it). */
    public long scanCount() { return scans.get(); }

    private void loop() {
        while (running) {
            try {
                ensureInbox();
                scan();
                scans.incrementAndGet();
                long waitMillis = pending.isEmpty() ? rescan.toMillis()
                        : Math.max(20, Math.min(rescan.toMillis(), quietNanos / 4_000_000));
                WatchKey key = watcher.poll(waitMillis, TimeUnit.MILLISECONDS);
                while (key != null) { // drain: any event only means "scan again"
                    key.pollEvents();
                    if (!key.reset()) {
                        watched.values().remove(key);
                    }
                    key = watcher.poll();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException | IOException e) {
                LOG.warn("inbox: scan failed ({}); trying again in {} s", e.getClass().getSimpleName(), rescan.toSeconds());
                sleep(rescan.toMillis());
            }
        }
    }

    private void ensureInbox() throws IOException {
        if (Files.isDirectory(inbox)) {
            inboxMissingLogged = false;
            return;
        }
        if (!inboxMissingLogged) {
            LOG.warn("inbox: folder {} is missing; creating it again", inbox);
            inboxMissingLogged = true;
        }
        watched.values().forEach(WatchKey::cancel);
        watched.clear();
        pending.clear();
        Files.createDirectories(inbox);
    }

    /** Walks the inbox (hidden folders skipped), registers new folders, takes files that are complete. */
    private void scan() throws IOException {
        List<Path> dirs = new ArrayList<>();
        Map<Path, BasicFileAttributes> files = new HashMap<>();
        try (Stream<Path> s = Files.walk(inbox)) {
            s.filter(p -> !hiddenBelowInbox(p)).forEach(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isDirectory()) {
                        dirs.add(p);
                    } else if (a.isRegularFile() && !p.getFileName().toString().endsWith(".part")) {
                        files.put(p, a);
                    }
                } catch (NoSuchFileException e) {
                    // gone between listing and stat
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) {
                throw e.getCause();
            }
        } catch (NoSuchFileException e) {
            return; // the inbox itself vanished: ensureInbox recreates it
        }
        for (Path d : dirs) {
            WatchKey k = watched.get(d);
            if (k == null || !k.isValid()) {
                try {
                    watched.put(d, d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
                } catch (NoSuchFileException e) {
                    // removed meanwhile
                }
            }
        }
        watched.keySet().removeIf(d -> !dirs.contains(d));
        pending.keySet().removeIf(p -> !files.containsKey(p));
        long now = System.nanoTime();
        for (var e : files.entrySet()) {
            Path f = e.getKey();
            BasicFileAttributes a = e.getValue();
            Candidate c = pending.get(f);
            if (c == null || c.size() != a.size() || !c.mtime().equals(a.lastModifiedTime())) {
                pending.put(f, new Candidate(a.size(), a.lastModifiedTime(), now, 0, c == null ? null : c.failure()));
            } else if (now - c.sinceNanos() >= quietNanos && now >= c.retryAtNanos()) {
                take(f, c);
            }
        }
    }

    private boolean hiddenBelowInbox(Path p) {
        Path rel = inbox.relativize(p);
        for (Path part : rel) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Reads a complete file, runs it through the pipeline and clears it out of the inbox. */
    private void take(Path f, Candidate c) throws IOException {
        byte[] bytes;
        try {
            bytes = reader.read(f);
            BasicFileAttributes after = Files.readAttributes(f, BasicFileAttributes.class);
            if (after.size() != bytes.length || !after.lastModifiedTime().equals(c.mtime())) {
                pending.remove(f); // written to while read: start the quiet period over
                return;
            }
        } catch (NoSuchFileException e) {
            pending.remove(f);
            return;
        } catch (IOException e) { // e.g. no read permission: say so once, try again later
            String why = "cannot read the file: " + e.getClass().getSimpleName();
            if (!why.equals(c.failure())) {
                LOG.warn("inbox: a file in the inbox {}; it stays there and is tried again every {} s", why,
                        rescan.toSeconds());
            }
            pending.put(f, new Candidate(c.size(), c.mtime(), c.sinceNanos(), System.nanoTime() + rescan.toNanos(), why));
            return;
        }
        String rel = inbox.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
        String digest = IngestPipeline.sha256(bytes).substring(0, 16);
        IngestOutcome outcome;
        try {
            outcome = pipeline.ingest(bytes, Source.inbox(rel, Instant.now()));
        } catch (IOException | RuntimeException e) {
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!why.equals(c.failure())) { // one line per failure, not one per retry
                LOG.warn("inbox: object sha256:{} could not be stored ({}); the file stays in the inbox and is tried "
                        + "again every {} s", digest, why, rescan.toSeconds());
            }
            pending.put(f, new Candidate(c.size(), c.mtime(), c.sinceNanos(), System.nanoTime() + rescan.toNanos(), why));
            return;
        }
        pending.remove(f);
        if (outcome instanceof IngestOutcome.Accepted a) {
            Files.deleteIfExists(f); // durable in the store: the inbox copy can go
            stored.incrementAndGet();
            LOG.info("inbox: stored object sha256:{} ({}, {}, original level {}, derivative level {}){}", digest,
                    a.provenance().modality(), a.classification().category().id(), a.originalGrade().level().level(),
                    a.derivativeGrade().level().level(), c.failure() != null ? " after an earlier failure" : "");
        } else if (outcome instanceof IngestOutcome.Refused r) {
            refused.incrementAndGet();
            Path moved = moveToRefused(f, rel, r);
            LOG.warn("inbox: refused object sha256:{}: {}; {}", digest, r.reason(),
                    moved != null ? "moved to " + REFUSED + "/ with a .reason.txt" : "left in place, see the previous line");
        }
    }

    /** Moves a refused file out of the scanned tree; never replaces a file already there. */
    private Path moveToRefused(Path f, String rel, IngestOutcome.Refused r) {
        Path first = inbox.resolve(REFUSED).resolve(rel);
        try {
            Files.createDirectories(first.getParent());
            for (int n = 1; n < 1000; n++) {
                Path target = n == 1 ? first : first.resolveSibling(first.getFileName() + "~" + n);
                Path reason = target.resolveSibling(target.getFileName() + ".reason.txt");
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.exists(reason, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    Files.writeString(reason, r.reason() + System.lineSeparator() + "sha256: " + r.provenance().sha256()
                            + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
                } catch (FileAlreadyExistsException e) {
                    continue;
                }
                Files.move(f, target, StandardCopyOption.ATOMIC_MOVE); // same file system; target checked free above
                return target;
            }
            throw new IOException("999 refused files of that name are already there");
        } catch (IOException e) {
            LOG.error("inbox: cannot move a refused file to {} ({}); rename or remove it by hand (it will not be "
                    + "ingested again while this process runs)", inbox.resolve(REFUSED), e.getClass().getSimpleName());
            ignoreUntilChanged(f);
            return null;
        }
    }

    /** Keeps a file that could not be moved out of the pipeline until it changes or the process restarts. */
    private void ignoreUntilChanged(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            pending.put(f, new Candidate(a.size(), a.lastModifiedTime(), System.nanoTime(), Long.MAX_VALUE, "refused"));
        } catch (IOException e) {
            // gone: nothing to ignore
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (watcher != null) {
                watcher.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        Iterator<WatchKey> it = watched.values().iterator();
        while (it.hasNext()) {
            it.next().cancel();
            it.remove();
        }
    }
}
