package org.medveil.dicom.files;

import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.net.DirectoryStore;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts output files under their final names without ever replacing a file, and without a partly
 * written file ever showing under a final name. The content goes to a hidden temporary file in the
 * target's folder, which is then hard-linked to the final name and unlinked: link(2) fails when
 * the name exists, so two writers (threads or processes) can never land on one file, whereas a
 * rename replaces silently (Files.move with ATOMIC_MOVE does on POSIX). No fsync per file: see
 * cli/README.md, "Outputs" (moved here from the CLI so the site node uses the same rule). A process killed mid-way leaves at most a hidden {@code .*.part} file,
 * incomplete or already linked, never a partial output; such files are safe to delete (Ctrl-C
 * deletes them on the way out).
 */
public final class NoReplaceFiles {

    /** What {@link #place} did. */
    public enum Placed {
        /** The file was created under its final name. */
        CREATED,
        /** A file of that name exists and holds the same content; nothing was written. */
        SAME,
        /** A file of that name exists and holds other content; it was left as it was. */
        DIFFERENT
    }

    /** Writes the content of a new file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Decides whether our new file (complete, under a temporary name) holds the same as the existing one. */
    @FunctionalInterface
    public interface Same {
        boolean test(Path ours, Path existing) throws IOException;
    }

    /**
     * Same bytes, or two DICOM files whose data sets hold the same object ({@link DirectoryStore#sameObject}:
     * meta header, encoding and length forms aside): a copy written by another version or from a
     * re-encoded input is still the same object.
     */
    public static final Same SAME_DATA_SET = (ours, existing) -> {
        if (Files.mismatch(ours, existing) == -1) {
            return true;
        }
        try {
            DicomFile a = new DicomReader().read(ours);
            DicomFile b = new DicomReader().read(existing);
            return DirectoryStore.sameObject(a.dataSet(), b.dataSet());
        } catch (IOException e) {
            return false; // the existing file is not readable DICOM: not the same
        }
    };

    private static final AtomicLong SEQ = new AtomicLong();
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
    /** In-process guard for file systems without hard links, where the fallback is check-then-rename. */
    private static final Object[] LOCKS = new Object[64];
    private static volatile boolean noLinks;

    static {
        for (int i = 0; i < LOCKS.length; i++) {
            LOCKS[i] = new Object();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> PENDING.forEach(p -> {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort on the way out
            }
        }), "medveil-part-cleanup"));
    }

    private NoReplaceFiles() {}

    /**
     * Writes {@code content} to {@code target} if no file of that name exists; otherwise leaves the
     * existing file alone and tells whether it holds the same content ({@code same} compares).
     */
    public static Placed place(Path target, Content content, Same same) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        name = name.length() > 120 ? name.substring(0, 120) : name;
        Path tmp;
        OutputStream raw;
        while (true) { // a hidden name that never collides: CREATE_NEW, retried
            tmp = dir.resolve("." + name + "." + PID + "-" + SEQ.incrementAndGet() + ".part");
            try {
                raw = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                break;
            } catch (FileAlreadyExistsException e) {
                // left over by a killed run with the same pid: take the next number
            }
        }
        PENDING.add(tmp);
        try {
            try (OutputStream out = new BufferedOutputStream(raw, 1 << 16)) {
                content.writeTo(out);
            }
            if (publish(tmp, target)) {
                return Placed.CREATED;
            }
            return same.test(tmp, target) ? Placed.SAME : Placed.DIFFERENT;
        } finally {
            raw.close(); // no-op when closed above; closes it when content.writeTo threw before
            Files.deleteIfExists(tmp);
            PENDING.remove(tmp);
        }
    }

    /** Gives {@code tmp}'s content the name {@code target}; false when that name is taken. */
    private static boolean publish(Path tmp, Path target) throws IOException {
        if (!noLinks) {
            try {
                Files.createLink(target, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
                throw e;
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (Files.exists(target)) {
                    return false;
                }
                noLinks = true; // e.g. FAT or some network mounts: no hard links
            }
        }
        // Without hard links: check, then rename without REPLACE_EXISTING. Safe between threads of
        // this process (the lock); another process writing the same folder at the same time could race.
        synchronized (LOCKS[Math.floorMod(target.getFileName().hashCode(), LOCKS.length)]) {
            if (Files.exists(target)) {
                return false;
            }
            try {
                Files.move(tmp, target);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
    }

    /** Forces the fallback (no hard links) so tests can cover it. */
    static void useRenameForTests(boolean on) { noLinks = on; }
}
