package org.medveil.he.multiparty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.medveil.he.HeException;
import org.medveil.he.LedgerInUseException;

/**
 * A ledger persisted as one line per decision, appended and forced to disk before a share is
 * released, so a restart cannot be used to obtain a second share. Lines are either a bare c1
 * digest (a request answered without verification, permissive mode only) or
 * {@code c KEYID JOBHEX ROUND CHUNK DIGEST|-} ({@link LedgerEntry}). The file holds only digests
 * and job coordinates (no key material, no plaintext, no PHI).
 *
 * <ul>
 * <li><b>One owner.</b> The ledger takes an exclusive OS lock on {@code FILE.lock} for its
 *     lifetime ({@link FileChannel#tryLock()}), and a process-wide registry refuses a second
 *     instance in the same JVM (a second channel on the lock file there could release the OS lock
 *     when closed). Either case throws {@link LedgerInUseException}. {@link #close()} releases it.</li>
 * <li><b>Durable creation.</b> A new ledger file is forced and its folder is fsynced, so the file
 *     itself survives a crash, not only its content.</li>
 * <li><b>One fsync per round.</b> {@link #reserve} writes all chunk entries of a round with one
 *     write and one force; shares are computed after it returns. A crash in the middle leaves
 *     either a torn last line (dropped at the next start: its force never returned, so no share
 *     of that round left) or some complete lines (those chunks are refused later: safe).</li>
 * </ul>
 *
 * Verified-only by default: a request that was not reserved is refused (see
 * {@link DecryptionLedger#recordOrRefuse}).
 */
public final class FileDecryptionLedger implements DecryptionLedger {

    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final Path registryKey;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileChannel out;
    private final LedgerBook book;
    private boolean closed;

    /** A verified-only ledger. */
    public FileDecryptionLedger(Path file) {
        this(file, true);
    }

    /**
     * @param verifiedOnly false also answers unverified requests, keyed on their c1 digest alone
     *                     (tests and benchmarks; never for a site that faces a coordinator)
     */
    public FileDecryptionLedger(Path file, boolean verifiedOnly) {
        this.file = file;
        this.registryKey = file.toAbsolutePath().normalize();
        if (!OPEN.add(registryKey)) {
            throw new LedgerInUseException("decryption ledger " + file.getFileName() + " is already open in this"
                    + " process; use one ledger instance per key share and close it before opening it again");
        }
        FileChannel lc = null;
        FileLock l = null;
        FileChannel o = null;
        try {
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                l = lc.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                throw new LedgerInUseException("decryption ledger " + file.getFileName() + " is locked by another"
                        + " process (" + lockFile.getFileName() + "); only one key holder may answer from it —"
                        + " stop the other holder first");
            }
            boolean created = !Files.exists(file);
            o = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            if (created) {
                o.force(true);
                forceFolder(file);
            }
            this.book = new LedgerBook(verifiedOnly, " (ledger " + file.getFileName() + ")", this::append);
            load(o);
        } catch (IOException e) {
            release(o, l, lc);
            OPEN.remove(registryKey);
            throw new UncheckedIOException("cannot open decryption ledger " + file.getFileName()
                    + "; check the folder and its permissions", e);
        } catch (RuntimeException e) {
            release(o, l, lc);
            OPEN.remove(registryKey);
            throw e;
        }
        this.lockChannel = lc;
        this.lock = l;
        this.out = o;
    }

    private void load(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new HeException("decryption ledger " + file.getFileName() + " is larger than 2 GB; archive it and start a new key");
        }
        ByteBuffer all = ByteBuffer.allocate((int) size);
        while (all.hasRemaining() && ch.read(all, all.position()) >= 0) {
            // read until full
        }
        byte[] bytes = all.array();
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            // a torn last line: its force never returned, so no share depends on it
            ch.truncate(end);
            ch.force(true);
        }
        String text = new String(bytes, 0, end, StandardCharsets.US_ASCII);
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            String d = line.strip();
            if (d.isEmpty()) {
                continue;
            }
            if (LedgerEntry.isDigest(d)) {
                book.loadDigest(d.toLowerCase(java.util.Locale.ROOT));
                continue;
            }
            LedgerEntry e = LedgerEntry.parse(d);
            if (e == null) {
                throw new HeException("decryption ledger " + file.getFileName() + " line " + lineNo
                        + " is not a ledger entry; restore the ledger from backup (never truncate it)");
            }
            book.load(e);
        }
        ch.position(ch.size());
    }

    private void append(List<String> lines) {
        if (closed) {
            throw new IllegalStateException("decryption ledger " + file.getFileName() + " is closed");
        }
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
        try {
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to decryption ledger " + file.getFileName()
                    + "; no share was released — fix the disk or permissions and retry", e);
        }
    }

    private static void forceFolder(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems refuse to open folders; Linux ext4/xfs do not
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
                throw e;
            }
        }
    }

    @Override
    public synchronized void recordOrRefuse(String requestDigest) {
        book.recordOrRefuse(requestDigest);
    }

    @Override
    public synchronized boolean contains(String requestDigest) {
        return book.contains(requestDigest);
    }

    @Override
    public synchronized void reserve(List<LedgerEntry> entries) {
        book.reserve(entries);
    }

    @Override
    public synchronized void refuseForever(List<LedgerEntry.Chunk> chunks) {
        book.refuseForever(chunks);
    }

    @Override
    public synchronized boolean isDecided(LedgerEntry.Chunk chunk) {
        return book.isDecided(chunk);
    }

    @Override
    public boolean verifiedOnly() {
        return book.verifiedOnly();
    }

    /** Releases the lock; the ledger refuses further writes. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        release(out, lock, lockChannel);
        OPEN.remove(registryKey);
    }

    private static void release(FileChannel o, FileLock l, FileChannel lc) {
        try {
            if (o != null) {
                o.close();
            }
            if (l != null && l.isValid()) {
                l.release();
            }
            if (lc != null) {
                lc.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the decryption ledger lock", e);
        }
    }
}
