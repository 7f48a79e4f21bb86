package org.medveil.site.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.medveil.governance.crypto.CipherSuite;

/** Test helpers: a keystore in {@code root/keys}, a data folder {@code root/data}, byte search. */
final class StoreFiles {

    static final String PASSWORD = "correct horse battery staple";

    private StoreFiles() {
    }

    static SiteKeystore keystore(Path root, CipherSuite suite) {
        return SiteKeystore.create(root.resolve("keys").resolve("site.p12"), PASSWORD.toCharArray(), suite);
    }

    static ObjectStore store(Path root, SiteKeystore ks) {
        return ObjectStore.open(root.resolve("data"), ks);
    }

    /** Every regular file under {@code dir} containing {@code needle}. */
    static List<Path> filesContaining(Path dir, byte[] needle) {
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (indexOf(Files.readAllBytes(p), needle) >= 0) {
                    hits.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hits;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
