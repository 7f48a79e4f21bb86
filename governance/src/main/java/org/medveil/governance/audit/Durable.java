package org.medveil.governance.audit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync of a file or a folder (a folder so that a new or renamed entry in it survives a crash). */
final class Durable {

    private Durable() {
    }

    static void force(Path p) throws IOException {
        try (FileChannel c = FileChannel.open(p, Files.isDirectory(p)
                ? new StandardOpenOption[] {StandardOpenOption.READ}
                : new StandardOpenOption[] {StandardOpenOption.WRITE})) {
            c.force(true);
        }
    }
}
