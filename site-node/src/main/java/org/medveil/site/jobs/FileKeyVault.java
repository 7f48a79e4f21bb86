package org.medveil.site.jobs;

import org.medveil.governance.files.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.medveil.governance.crypto.ObjectCipher;
import org.medveil.governance.crypto.TamperedException;
import org.medveil.site.federation.KeyVault;
import org.medveil.site.store.SiteKeystore;

/**
 * A job's key material (threshold key share, sketch key, public key, setup state) at rest:
 * each secret sealed under the site keystore's master key, bound to the job and the secret's
 * name, in the keystore's folder (outside the data folder and its backups). Erasing overwrites
 * the files before deleting them.
 */
final class FileKeyVault implements KeyVault {

    private final SiteKeystore keystore;
    private final Path root;

    FileKeyVault(SiteKeystore keystore) {
        this.keystore = keystore;
        this.root = keystore.keyFolder().resolve("jobs");
    }

    private Path file(String jobId, String name) {
        if (!jobId.matches("[A-Za-z0-9._-]{1,128}") || !name.matches("[a-z-]{1,64}")) {
            throw new IllegalArgumentException("not a job id and secret name: " + jobId + "/" + name);
        }
        return root.resolve(jobId).resolve(name + ".sealed");
    }

    private static String context(String jobId, String name) {
        return "job-vault:" + jobId + ":" + name;
    }

    /** Envelope: a fresh data key wrapped by the master key, then the secret sealed under it; both bound to the context. */
    private byte[] seal(byte[] secret, String context) {
        ObjectCipher cipher = new ObjectCipher(keystore.suite());
        byte[] dataKey = cipher.newKey();
        try {
            byte[] wrapped = keystore.wrapKey(dataKey, context);
            byte[] sealed = cipher.seal(dataKey, secret, context.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(4 + wrapped.length + sealed.length).putInt(wrapped.length).put(wrapped)
                    .put(sealed).array();
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private byte[] open(byte[] file, String context, Path where) {
        ByteBuffer b = ByteBuffer.wrap(file);
        int n = file.length >= 4 ? b.getInt() : -1;
        if (n <= 0 || n > file.length - 4) {
            throw new IllegalStateException(where + " is not a sealed job secret (damaged or truncated)");
        }
        byte[] wrapped = new byte[n];
        b.get(wrapped);
        byte[] sealed = new byte[b.remaining()];
        b.get(sealed);
        byte[] dataKey = keystore.unwrapKey(wrapped, context);
        try {
            return new ObjectCipher(keystore.suite()).open(dataKey, sealed, context.getBytes(StandardCharsets.UTF_8));
        } catch (TamperedException e) {
            throw new IllegalStateException(where + " does not open: it was altered or moved from another job", e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public void store(String jobId, String name, byte[] secret) {
        Path f = file(jobId, name);
        try {
            DurableFiles.replace(f, seal(secret, context(jobId, name)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the key material of job " + jobId + " in " + f.getParent()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> load(String jobId, String name) {
        Path f = file(jobId, name);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(open(Files.readAllBytes(f), context(jobId, name), f));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void erase(String jobId) {
        Path dir = file(jobId, "setup").getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                byte[] zeros = new byte[(int) Files.size(f)];
                Arrays.fill(zeros, (byte) 0);
                Files.write(f, zeros, StandardOpenOption.WRITE);
                try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    c.force(true);
                }
                Files.delete(f);
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot erase the key material of job " + jobId + " in " + dir + ": "
                    + e.getMessage(), e);
        }
    }
}
