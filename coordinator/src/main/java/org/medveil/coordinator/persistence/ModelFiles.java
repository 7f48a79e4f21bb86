package org.medveil.coordinator.persistence;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Model parameters (and server strategy state) as files named by their SHA-256, in one folder;
 * the database holds only the digests, since models can be GiBs. A write goes to a temporary file,
 * is fsynced, atomically renamed to its digest and the folder fsynced, so after a crash a digest
 * either names the complete file or no file. Reads check the digest: a damaged file is an error,
 * never a model. Parameter vectors are stored as little-endian IEEE 754 float32.
 */
public final class ModelFiles {

    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
    private static final String TEMP_PREFIX = ".tmp-";

    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private final Path dir;

    private ModelFiles(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating) the folder and removes temporary files a crash left behind. */
    public static ModelFiles open(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path t : temps) {
                Files.deleteIfExists(t);
            }
        }
        return new ModelFiles(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Stores what {@code writer} writes; returns its SHA-256 (lowercase hex). Storing existing content is a no-op. */
    public String write(Writer writer) throws IOException {
        Path temp = Files.createTempFile(dir, TEMP_PREFIX, "");
        try {
            MessageDigest sha = sha256();
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = new DigestOutputStream(new java.io.BufferedOutputStream(
                         java.nio.channels.Channels.newOutputStream(ch), 1 << 16), sha)) {
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            String digest = HexFormat.of().formatHex(sha.digest());
            Path target = dir.resolve(digest);
            if (Files.exists(target)) {
                Files.delete(temp);
                return digest;
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("model folder " + dir + " does not support atomic renames; put it on a local file system", e);
            }
            fsyncDir();
            return digest;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public String write(byte[] content) throws IOException {
        return write(out -> out.write(content));
    }

    public String write(InputStream in) throws IOException {
        return write(in::transferTo);
    }

    /** Stores a parameter vector as little-endian float32. */
    public String writeFloats(float[] values) throws IOException {
        return write(out -> writeFloats(out, values));
    }

    public boolean exists(String digest) {
        return DIGEST.matcher(digest).matches() && Files.isRegularFile(dir.resolve(digest));
    }

    /** The file holding a digest, for streaming it elsewhere; prefer {@link #open} which checks it. */
    public Path path(String digest) throws IOException {
        checkName(digest);
        Path p = dir.resolve(digest);
        if (!Files.isRegularFile(p)) {
            throw new IOException("no model file " + digest + " in " + dir
                    + "; the folder must be the one this coordinator database was used with");
        }
        return p;
    }

    /**
     * Streams a stored file; at its end the stream checks the digest and throws an IOException
     * on a mismatch, so a reader must not act on the content before reading to the end.
     */
    public InputStream open(String digest) throws IOException {
        Path p = path(digest);
        MessageDigest sha = sha256();
        InputStream in = new java.security.DigestInputStream(Files.newInputStream(p), sha);
        return new FilterInputStream(in) {
            private boolean checked;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    check();
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n < 0) {
                    check();
                }
                return n;
            }

            private void check() throws IOException {
                if (!checked) {
                    checked = true;
                    String actual = HexFormat.of().formatHex(sha.digest());
                    if (!actual.equals(digest)) {
                        throw damaged(p, actual);
                    }
                }
            }
        };
    }

    /** Reads a whole (small) stored file after checking its digest. */
    public byte[] read(String digest) throws IOException {
        Path p = path(digest);
        byte[] content = Files.readAllBytes(p);
        String actual = HexFormat.of().formatHex(sha256().digest(content));
        if (!actual.equals(digest)) {
            throw damaged(p, actual);
        }
        return content;
    }

    /** Reads a parameter vector written by {@link #writeFloats}, checking its digest. */
    public float[] readFloats(String digest) throws IOException {
        try (InputStream in = open(digest)) {
            return readFloats(in, Files.size(path(digest)));
        }
    }

    static void writeFloats(OutputStream out, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (!b.hasRemaining()) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            b.putFloat(v);
        }
        out.write(b.array(), 0, b.position());
    }

    static float[] readFloats(InputStream in, long bytes) throws IOException {
        if (bytes % 4 != 0 || bytes / 4 > Integer.MAX_VALUE - 8) {
            throw new IOException("not a float32 vector: " + bytes + " bytes");
        }
        float[] out = new float[(int) (bytes / 4)];
        byte[] buf = new byte[1 << 16];
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        int filled = 0;
        int n;
        while ((n = in.read(buf, filled, buf.length - filled)) >= 0) {
            filled += n;
            int whole = filled - filled % 4;
            b.clear();
            for (int k = 0; k < whole; k += 4) {
                out[i++] = b.getFloat(k);
            }
            System.arraycopy(buf, whole, buf, 0, filled - whole);
            filled -= whole;
        }
        if (i != out.length || filled != 0) {
            throw new IOException("float32 vector changed while reading");
        }
        return out;
    }

    private IOException damaged(Path p, String actual) {
        return new IOException("model file " + p + " is damaged: its content hashes to " + actual
                + "; restore it from a backup or re-run the round that produced it");
    }

    private void checkName(String digest) throws IOException {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new IOException("not a model file digest (64 lowercase hex digits): " + digest);
        }
    }

    private void fsyncDir() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true); // makes the rename durable
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
