package org.medveil.governance.audit;

import org.medveil.governance.files.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The append-only, hash-chained audit log of a site (REQ-USE-4). Records are canonical JSON lines
 * in {@code audit-000001.jsonl}, {@code audit-000002.jsonl}, … (a new file once one reaches
 * {@link Options#maxFileBytes}); the chain runs across files. Every {@link Options#checkpointEvery}
 * records and at {@link #close()} a checkpoint signed by the site key is appended and
 * {@code audit.head} is updated.
 *
 * <p>Durability: {@link #append} returns only after the line is written and the file forced to disk,
 * so an acknowledged record survives {@code kill -9} and power loss. A crash during a write can
 * leave a torn last line (no newline); it was never acknowledged, so {@link #open} cuts it off and
 * appends a {@code log-recovered} record saying how many bytes were cut and their SHA-256.
 *
 * <p>{@link #open} refuses a log whose files are shorter than {@code audit.head} says, or whose
 * head is missing: continuing would overwrite the evidence of truncation. Thread-safe.
 */
public final class AuditLog implements AutoCloseable {

    /** How often to sign, when to start a new file, and the clock for record times. */
    public record Options(int checkpointEvery, long maxFileBytes, Clock clock) {
        public static final Options DEFAULTS = new Options(100, 64L << 20, Clock.systemUTC());

        public Options {
            if (checkpointEvery < 1 || maxFileBytes < 4096) {
                throw new IllegalArgumentException("checkpointEvery must be >= 1 and maxFileBytes >= 4096");
            }
        }

        public Options withCheckpointEvery(int n) {
            return new Options(n, maxFileBytes, clock);
        }

        public Options withMaxFileBytes(long n) {
            return new Options(checkpointEvery, n, clock);
        }
    }

    private final Path dir;
    private final AuditSigner signer;
    private final Options options;
    private FileChannel channel;
    private int fileNumber;
    private long nextSeq;
    private String prevLineHash;
    private boolean lastIsCheckpoint;
    private int sinceCheckpoint;
    private AuditException failed;
    private boolean closed;

    private AuditLog(Path dir, AuditSigner signer, Options options) {
        this.dir = dir;
        this.signer = signer;
        this.options = options;
    }

    public static AuditLog open(Path dir, AuditSigner signer) {
        return open(dir, signer, Options.DEFAULTS);
    }

    public static AuditLog open(Path dir, AuditSigner signer, Options options) {
        AuditLog log = new AuditLog(dir, signer, options);
        try {
            log.resume();
        } catch (IOException e) {
            log.closeChannel();
            throw new AuditException("cannot open the audit log in " + dir + ": " + e.getMessage()
                    + "; check that the folder exists and is writable", e);
        } catch (RuntimeException e) {
            log.closeChannel();
            throw e;
        }
        return log;
    }

    private void resume() throws IOException {
        Files.createDirectories(dir);
        List<Path> files = AuditFiles.list(dir);
        AuditHead head = AuditHead.read(dir);
        if (files.isEmpty()) {
            if (head != null && head.seq() > 0) {
                throw new AuditException(dir.resolve(AuditHead.FILE) + " names checkpoint seq " + head.seq()
                        + " but the folder holds no audit files: the log was removed. Restore it from a backup;"
                        + " 'medveil audit verify " + dir + "' reports the damage");
            }
            if (head == null) {
                AuditHead.GENESIS.write(dir); // the head exists before any record, so a missing head is never a crash
            }
            startFile(1);
            nextSeq = 1;
            prevLineHash = AuditRecord.GENESIS;
            return;
        }
        if (head == null) {
            throw new AuditException(dir.resolve(AuditHead.FILE) + " is missing although the folder holds audit files:"
                    + " it was deleted. 'medveil audit verify " + dir + "' reports what can still be checked;"
                    + " restore the folder from a backup");
        }
        Path last = files.get(files.size() - 1);
        AuditFiles.Content content = AuditFiles.read(last);
        long cut = content.torn().length;
        String cutHash = AuditRecord.sha256Hex(content.torn());
        long keep = Files.size(last) - cut;
        channel = FileChannel.open(last, StandardOpenOption.WRITE);
        if (cut > 0) {
            channel.truncate(keep); // a torn line was never acknowledged: append() had not returned
            channel.force(true);
        }
        channel.position(keep);
        fileNumber = AuditFiles.number(last);

        byte[] lastLine = null;
        String where = null;
        for (int i = files.size() - 1; i >= 0 && lastLine == null; i--) {
            List<byte[]> lines = i == files.size() - 1 ? content.lines() : AuditFiles.read(files.get(i)).lines();
            if (!lines.isEmpty()) {
                lastLine = lines.get(lines.size() - 1);
                where = files.get(i).getFileName() + " line " + lines.size();
            }
        }
        if (lastLine == null && head.seq() == 0) {
            // A kill between creating the first file and acknowledging its first record: nothing was lost.
            nextSeq = 1;
            prevLineHash = AuditRecord.GENESIS;
            noteCut(last, cut, cutHash);
            return;
        }
        if (lastLine == null) {
            throw new AuditException("the audit files in " + dir + " are empty but " + AuditHead.FILE
                    + " names checkpoint seq " + head.seq() + "; records were removed. Run 'medveil audit verify "
                    + dir + "'");
        }
        AuditRecord tail;
        try {
            tail = AuditRecord.parse(lastLine);
        } catch (IllegalArgumentException e) {
            throw new AuditException("the last record of the audit log (" + where + ") is damaged: " + e.getMessage()
                    + ". It is a complete line, so not a torn write; run 'medveil audit verify " + dir + "'");
        }
        if (head.seq() > tail.seq()) {
            throw new AuditException("the audit log ends at seq " + tail.seq() + " but " + AuditHead.FILE
                    + " names checkpoint seq " + head.seq() + ": records were cut from the end. Restore the"
                    + " folder from a backup; 'medveil audit verify " + dir + "' names what is missing");
        }
        if (head.seq() > 0 && !headMatches(files, head)) {
            throw new AuditException("the record at seq " + head.seq() + " is not the checkpoint " + AuditHead.FILE
                    + " names: the log was rewritten. Run 'medveil audit verify " + dir + "'");
        }
        nextSeq = tail.seq() + 1;
        prevLineHash = AuditRecord.sha256Hex(lastLine);
        lastIsCheckpoint = tail.isCheckpoint();
        noteCut(last, cut, cutHash);
    }

    private void noteCut(Path file, long cut, String cutHash) {
        if (cut > 0) {
            append(AuditRecord.LOG_RECOVERED, "system", Map.of("file", file.getFileName().toString(),
                    "cutBytes", Long.toString(cut), "cutSha256", cutHash,
                    "reason", "torn last line from a crash during a write; it was never acknowledged"));
        }
    }

    /** Searches the files from the newest back for the line with the head's seq. */
    private static boolean headMatches(List<Path> files, AuditHead head) throws IOException {
        for (int i = files.size() - 1; i >= 0; i--) {
            List<byte[]> lines = AuditFiles.read(files.get(i)).lines();
            for (int j = lines.size() - 1; j >= 0; j--) {
                AuditRecord r;
                try {
                    r = AuditRecord.parse(lines.get(j));
                } catch (IllegalArgumentException e) {
                    continue; // the verifier names damaged lines; here only the head's line matters
                }
                if (r.seq() == head.seq()) {
                    return r.isCheckpoint() && AuditRecord.sha256Hex(lines.get(j)).equals(head.lineHash());
                }
                if (r.seq() < head.seq()) {
                    return false;
                }
            }
        }
        return false;
    }

    /**
     * Appends one record and forces it to disk before returning. {@code fields} are flat strings:
     * digests and pseudonymous ids only, never PHI. May append a checkpoint after it.
     */
    public synchronized AuditRecord append(String type, String actor, Map<String, String> fields) {
        if (AuditRecord.CHECKPOINT.equals(type)) {
            throw new IllegalArgumentException("checkpoints are written by the log itself; use checkpoint()");
        }
        AuditRecord r = write(AuditRecord.create(nextSeq, options.clock().instant(), type, actor, fields, prevLineHash));
        if (++sinceCheckpoint >= options.checkpointEvery()) {
            checkpoint();
        }
        return r;
    }

    /** One record for {@link #appendAll}. */
    public record Entry(String type, String actor, Map<String, String> fields) {
    }

    /**
     * Appends several records in order, chained as by {@link #append}, with one force to disk
     * after the last (instead of one per record); returns once all are on disk. A crash before it
     * returns may keep any prefix of them (a torn last line is cut at open), as with separate
     * appends that had not all returned. May append a checkpoint after them.
     */
    public synchronized List<AuditRecord> appendAll(List<Entry> entries) {
        List<AuditRecord> out = new java.util.ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (AuditRecord.CHECKPOINT.equals(e.type())) {
                throw new IllegalArgumentException("checkpoints are written by the log itself; use checkpoint()");
            }
            out.add(write(AuditRecord.create(nextSeq, options.clock().instant(), e.type(), e.actor(), e.fields(),
                    prevLineHash), i == entries.size() - 1));
            sinceCheckpoint++;
        }
        if (sinceCheckpoint >= options.checkpointEvery()) {
            checkpoint();
        }
        return out;
    }

    /** Appends a signed checkpoint over everything so far and updates {@code audit.head}; no-op right after one. */
    public synchronized void checkpoint() {
        if (lastIsCheckpoint) {
            return;
        }
        AuditRecord c = write(Checkpoints.create(signer, nextSeq, options.clock().instant(), prevLineHash));
        new AuditHead(c.seq(), AuditRecord.sha256Hex(c.line())).write(dir);
        sinceCheckpoint = 0;
    }

    private AuditRecord write(AuditRecord r) {
        return write(r, true);
    }

    /** Writes one line; forces the file only when {@code force} (appendAll forces after its last line). */
    private AuditRecord write(AuditRecord r, boolean force) {
        if (closed) {
            throw new AuditException("the audit log in " + dir + " is closed");
        }
        if (failed != null) {
            throw new AuditException("the audit log in " + dir + " failed earlier (" + failed.getMessage()
                    + "); restart the site node so it recovers the log", failed);
        }
        byte[] line = r.line();
        ByteBuffer buf = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
        try {
            if (channel.position() > 0 && channel.position() + buf.remaining() > options.maxFileBytes()) {
                channel.force(true); // lines of an appendAll not forced yet must not be left behind unforced
                channel.close();
                startFile(fileNumber + 1);
            }
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            if (force) {
                channel.force(true);
            }
        } catch (IOException e) {
            failed = new AuditException("cannot write to the audit log in " + dir + ": " + e.getMessage()
                    + "; check free space and permissions", e);
            throw failed;
        }
        nextSeq++;
        prevLineHash = AuditRecord.sha256Hex(line);
        lastIsCheckpoint = r.isCheckpoint();
        return r;
    }

    private void startFile(int number) throws IOException {
        Path f = dir.resolve(AuditFiles.name(number));
        channel = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        DurableFiles.force(dir); // the new file's name must survive a crash too
        fileNumber = number;
    }

    public Path dir() {
        return dir;
    }

    /** The seq the next record will get. */
    public synchronized long nextSeq() {
        return nextSeq;
    }

    /** Writes the closing checkpoint and closes the file. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            if (failed == null) {
                checkpoint();
            }
        } finally {
            closed = true;
            closeChannel();
        }
    }

    private void closeChannel() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // Every record was forced already; nothing is lost by a failing close.
        }
    }
}
