package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link TransferStore} on disk, one object as three files under the root folder:
 * {@code NAME.data} (the parts appended), {@code NAME.index} (one 8-byte end offset per part)
 * and, once the object is complete and verified, {@code NAME.sha256}. A part is forced to disk
 * (data, then index) before {@link PartSink#accept} returns, so an acknowledged part survives a
 * crash; after a restart the next index is the number of index entries whose data is all there,
 * and a torn tail is cut off. One process per root folder.
 */
public final class FileTransferStore implements TransferStore {
    private final Path root;
    private final TransferPolicy policy;
    private final Map<String, Generation> writers = new ConcurrentHashMap<>();

    public FileTransferStore(Path root, TransferPolicy policy) throws IOException {
        this.root = Files.createDirectories(root);
        this.policy = policy;
    }

    @Override
    public PartSource openRead(String object, String caller) throws IOException {
        ObjectNames.check(object);
        policy.checkRead(caller, object);
        byte[] sha = readSha(object);
        if (sha == null) {
            throw new TransferException(TransferException.Reason.NOT_FOUND, "no complete object '" + object + "'");
        }
        FileChannel data = FileChannel.open(file(object, ".data"), StandardOpenOption.READ);
        FileChannel index = FileChannel.open(file(object, ".index"), StandardOpenOption.READ);
        long count = index.size() / 8;
        return new PartSource() {
            @Override
            public long partCount() {
                return count;
            }

            @Override
            public ByteString part(long i) throws IOException {
                if (i < 0 || i >= count) {
                    throw new TransferException(TransferException.Reason.PROTOCOL,
                            "part " + i + " of '" + object + "' does not exist; it has " + count);
                }
                long start = i == 0 ? 0 : readLong(index, (i - 1) * 8);
                long end = readLong(index, i * 8);
                ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(end - start));
                readFully(data, buf, start);
                return UnsafeByteOperations.unsafeWrap(buf.array());
            }

            @Override
            public byte[] sha256() {
                return sha.clone();
            }

            @Override
            public void close() throws IOException {
                try (data; index) {
                    // both closed
                }
            }
        };
    }

    @Override
    public PartSink openWrite(String object, String caller) throws IOException {
        ObjectNames.check(object);
        policy.checkWrite(caller, object);
        Generation gen = writers.computeIfAbsent(object, k -> new Generation());
        synchronized (gen) {
            long mine = ++gen.value;
            return new FileSink(object, gen, mine);
        }
    }

    @Override
    public UploadState status(String object, String caller) throws IOException {
        ObjectNames.check(object);
        policy.checkWrite(caller, object);
        Generation gen = writers.computeIfAbsent(object, k -> new Generation());
        synchronized (gen) {
            Path dataFile = file(object, ".data");
            Path indexFile = file(object, ".index");
            if (!Files.exists(indexFile)) {
                return new UploadState(0, null);
            }
            try (FileChannel data = FileChannel.open(dataFile, StandardOpenOption.READ);
                 FileChannel index = FileChannel.open(indexFile, StandardOpenOption.READ)) {
                return new UploadState(durableParts(data, index)[0], readSha(object));
            }
        }
    }

    private Path file(String object, String suffix) {
        return root.resolve(object + suffix);
    }

    private byte[] readSha(String object) throws IOException {
        try {
            return HexFormat.of().parseHex(Files.readString(file(object, ".sha256"), StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** {count, end offset} of the parts whose index entry and data are both complete on disk. */
    private static long[] durableParts(FileChannel data, FileChannel index) throws IOException {
        long count = index.size() / 8;
        long dataSize = data.size();
        while (count > 0) {
            long end = readLong(index, (count - 1) * 8);
            if (end <= dataSize) {
                return new long[] {count, end};
            }
            count--;
        }
        return new long[] {0, 0};
    }

    private static long readLong(FileChannel ch, long pos) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        readFully(ch, b, pos);
        return b.flip().getLong();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of " + ch + " at " + pos);
            }
            pos += n;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }

    /** Counts writers of one object, so a newer upload takes over from an older one. */
    private static final class Generation {
        long value;
    }

    /** The writer of one object; all its file work happens under the object's lock. */
    private final class FileSink implements PartSink {
        private final String object;
        private final Generation gen;
        private final long mine;
        private FileChannel data;
        private FileChannel index;
        private long count;
        private long end;
        private MessageDigest digest;
        private byte[] finished;

        FileSink(String object, Generation gen, long mine) throws IOException {
            this.object = object;
            this.gen = gen;
            this.mine = mine;
            Files.createDirectories(file(object, ".data").getParent());
            finished = readSha(object);
            data = FileChannel.open(file(object, ".data"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            index = FileChannel.open(file(object, ".index"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long[] durable = durableParts(data, index);
            count = durable[0];
            end = durable[1];
            if (finished == null) {
                // cut a torn tail from a crash, then rebuild the running digest from what is kept
                index.truncate(count * 8);
                data.truncate(end);
                digest = Digests.sha256();
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                for (long pos = 0; pos < end; ) {
                    buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                    readFully(data, buf, pos);
                    pos += buf.flip().remaining();
                    digest.update(buf);
                }
            }
        }

        @Override
        public long nextIndex() {
            synchronized (gen) {
                return count;
            }
        }

        @Override
        public byte[] finishedSha256() {
            synchronized (gen) {
                return finished == null ? null : finished.clone();
            }
        }

        @Override
        public void accept(long i, ByteString part) throws IOException {
            synchronized (gen) {
                current();
                if (finished != null || i != count) {
                    throw new TransferException(TransferException.Reason.PROTOCOL, "part " + i + " of '" + object
                            + "' out of order: expected " + (finished != null ? "none (complete)" : count));
                }
                writeFully(data, part.asReadOnlyByteBuffer(), end);
                data.force(false);
                writeFully(index, ByteBuffer.allocate(8).putLong(0, end + part.size()), count * 8);
                index.force(false);
                part.asReadOnlyByteBufferList().forEach(digest::update);
                end += part.size();
                count++;
            }
        }

        @Override
        public void finish(byte[] sha256) throws IOException {
            synchronized (gen) {
                current();
                if (finished != null) {
                    return;
                }
                byte[] actual = digest.digest();
                if (!MessageDigest.isEqual(actual, sha256)) {
                    close();
                    Files.deleteIfExists(file(object, ".index"));
                    Files.deleteIfExists(file(object, ".data"));
                    gen.value++;
                    throw Digests.mismatch(object, sha256, actual);
                }
                Path sha = file(object, ".sha256");
                Path tmp = file(object, ".sha256.tmp");
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    writeFully(ch, ByteBuffer.wrap((Digests.hex(actual) + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                    ch.force(true);
                }
                try {
                    Files.move(tmp, sha, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, sha, StandardCopyOption.REPLACE_EXISTING);
                }
                finished = actual;
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (gen) {
                try (FileChannel d = data; FileChannel x = index) {
                    // both closed; parts stay for a resume
                }
            }
        }

        private void current() throws TransferException {
            if (gen.value != mine) {
                throw new TransferException(TransferException.Reason.SUPERSEDED,
                        "a newer upload of '" + object + "' took over; this one stops");
            }
        }
    }
}
