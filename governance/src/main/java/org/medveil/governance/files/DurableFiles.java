package org.medveil.governance.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that survive a crash: a file is replaced through a temporary file that is forced to disk,
 * renamed atomically over the old one, and the folder forced so the new name survives too. After
 * a crash the file holds the old bytes or the new ones, never a mix. One copy of this rule for the
 * audit head, destruction certificates, manifests, the coordinator's job files and job secrets.
 */
public final class DurableFiles {

    private DurableFiles() {
    }

    /** fsync of a file, or of a folder (so that a new or renamed entry in it survives a crash). */
    public static void force(Path p) throws IOException {
        try (FileChannel c = FileChannel.open(p, Files.isDirectory(p)
                ? new StandardOpenOption[] {StandardOpenOption.READ}
                : new StandardOpenOption[] {StandardOpenOption.WRITE})) {
            c.force(true);
        }
    }

    /** Creates or replaces {@code file} with {@code bytes}, atomically and durably (parent folders are created). */
    public static void replace(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        force(tmp);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        force(dir);
    }
}
