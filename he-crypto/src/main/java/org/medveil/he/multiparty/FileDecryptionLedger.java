package org.medveil.he.multiparty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.medveil.he.HeException;
import org.medveil.he.RepeatedDecryptionException;

/**
 * A ledger persisted as one hex digest per line, appended and forced to disk before a share is
 * released, so a restart cannot be used to obtain a second share. The file holds only digests of
 * ciphertexts (no key material, no plaintext, no PHI).
 */
public final class FileDecryptionLedger implements DecryptionLedger {

    private final Path file;
    private final Set<String> seen = new HashSet<>();

    public FileDecryptionLedger(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
                int lineNo = 0;
                for (String line : lines) {
                    lineNo++;
                    String d = line.strip();
                    if (d.isEmpty()) {
                        continue;
                    }
                    if (d.length() != 64 || !d.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                        throw new HeException("decryption ledger " + file.getFileName() + " line " + lineNo
                                + " is not a SHA-256 hex digest; restore the ledger from backup (never truncate it)");
                    }
                    seen.add(d);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read decryption ledger " + file.getFileName()
                        + "; check its permissions", e);
            }
        }
    }

    @Override
    public synchronized void recordOrRefuse(String requestDigest) {
        if (seen.contains(requestDigest)) {
            throw new RepeatedDecryptionException("a decryption share for ciphertext " + requestDigest
                    + " was already given (ledger " + file.getFileName() + "); a key holder answers each ciphertext"
                    + " once — request a fresh aggregate");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer line = ByteBuffer.wrap((requestDigest + "\n").getBytes(StandardCharsets.US_ASCII));
            while (line.hasRemaining()) {
                ch.write(line);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to decryption ledger " + file.getFileName()
                    + "; no share was released — fix the disk or permissions and retry", e);
        }
        seen.add(requestDigest);
    }

    @Override
    public synchronized boolean contains(String requestDigest) {
        return seen.contains(requestDigest);
    }
}
