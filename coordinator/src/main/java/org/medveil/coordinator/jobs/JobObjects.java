package org.medveil.coordinator.jobs;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medveil.coordinator.rounds.ObjectStore;
import org.medveil.proto.transfer.FileTransferStore;
import org.medveil.proto.transfer.PartSink;
import org.medveil.proto.transfer.PartSource;
import org.medveil.proto.transfer.TransferPolicy;
import org.medveil.proto.transfer.TransferStore;

/**
 * The coordinator's bulk objects (models, encrypted updates, aggregates, challenge responses,
 * decryption shares): one file-backed store that the rounds engine uses directly and sites reach
 * through the Transfer service. Sites may read only their jobs' models, aggregates, contribution
 * records (every key holder checks every listed site's records) and their own challenge responses,
 * and write only their own updates, records, challenges and decryption shares.
 */
public final class JobObjects implements ObjectStore {

    /** The caller name the coordinator itself uses. */
    static final String COORDINATOR = "coordinator";
    private static final Pattern NAME = Pattern.compile("(job-[0-9a-f]{16})/round-\\d+/(model|next-model|aggregate"
            + "|update/([a-z0-9-]+)(/records)?|share/([a-z0-9-]+)|response/([a-z0-9-]+)|challenge/([a-z0-9-]+))");

    private static final Pattern ROUND_OF = Pattern.compile("(job-[0-9a-f]{16})/round-(\\d+)/.*");

    private final FileTransferStore files;
    /** Bulk bytes sites moved per "job/round-index": [read by sites, written by sites]. */
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLongArray> wire =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final TransferStore counted;

    /** @param participates whether a site takes part in a job: (site, jobId) */
    public JobObjects(Path root, BiPredicate<String, String> participates) throws IOException {
        this.files = new FileTransferStore(root, new TransferPolicy() {
            @Override
            public boolean mayRead(String caller, String object) {
                if (COORDINATOR.equals(caller)) {
                    return true;
                }
                Matcher m = NAME.matcher(object);
                if (!m.matches() || !participates.test(caller, m.group(1))) {
                    return false;
                }
                String kind = m.group(2);
                return kind.equals("model") || kind.equals("aggregate") || m.group(4) != null
                        || caller.equals(m.group(6));
            }

            @Override
            public boolean mayWrite(String caller, String object) {
                if (COORDINATOR.equals(caller)) {
                    return true;
                }
                Matcher m = NAME.matcher(object);
                return m.matches() && participates.test(caller, m.group(1))
                        && (caller.equals(m.group(3)) || caller.equals(m.group(5)) || caller.equals(m.group(7)));
            }
        });
        this.counted = counting(files);
    }

    /** What the Transfer service serves: the files, with the bytes each site reads and writes counted per round. */
    public TransferStore transferStore() {
        return counted;
    }

    /**
     * Bulk bytes the sites moved through the Transfer service for round {@code roundIndex} (0-based,
     * as in the object names) of a job since this coordinator started: {@code [to sites, from sites]}
     * (part payloads: models, updates, records, aggregates, challenges, responses, shares; not the
     * control messages on the session stream, nor TLS framing).
     */
    public long[] transferred(String jobId, int roundIndex) {
        var c = wire.get(jobId + "/round-" + roundIndex);
        return c == null ? new long[2] : new long[] {c.get(0), c.get(1)};
    }

    private void count(String object, String caller, int direction, long bytes) {
        if (COORDINATOR.equals(caller)) {
            return;
        }
        Matcher m = ROUND_OF.matcher(object);
        if (m.matches()) {
            wire.computeIfAbsent(m.group(1) + "/round-" + m.group(2),
                    k -> new java.util.concurrent.atomic.AtomicLongArray(2)).addAndGet(direction, bytes);
        }
    }

    /** The file store with every part a site reads or writes counted. */
    private TransferStore counting(TransferStore store) {
        return new TransferStore() {
            @Override
            public PartSource openRead(String object, String caller) throws IOException {
                PartSource src = store.openRead(object, caller);
                return new PartSource() {
                    @Override
                    public long partCount() {
                        return src.partCount();
                    }

                    @Override
                    public ByteString part(long index) throws IOException {
                        ByteString b = src.part(index);
                        count(object, caller, 0, b.size());
                        return b;
                    }

                    @Override
                    public byte[] sha256() {
                        return src.sha256();
                    }

                    @Override
                    public void close() throws IOException {
                        src.close();
                    }
                };
            }

            @Override
            public PartSink openWrite(String object, String caller) throws IOException {
                PartSink sink = store.openWrite(object, caller);
                return new PartSink() {
                    @Override
                    public long nextIndex() {
                        return sink.nextIndex();
                    }

                    @Override
                    public byte[] finishedSha256() {
                        return sink.finishedSha256();
                    }

                    @Override
                    public void accept(long index, ByteString data) throws IOException {
                        sink.accept(index, data);
                        count(object, caller, 1, data.size());
                    }

                    @Override
                    public void finish(byte[] sha256) throws IOException {
                        sink.finish(sha256);
                    }

                    @Override
                    public void close() throws IOException {
                        sink.close();
                    }
                };
            }

            @Override
            public UploadState status(String object, String caller) throws IOException {
                return store.status(object, caller);
            }
        };
    }

    @Override
    public void put(String name, Iterable<byte[]> parts) {
        try (PartSink sink = files.openWrite(name, COORDINATOR)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long i = 0;
            for (byte[] p : parts) {
                if (i >= sink.nextIndex()) {
                    sink.accept(i, ByteString.copyFrom(p));
                }
                sha.update(p);
                i++;
            }
            sink.finish(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store object " + name + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Iterator<byte[]> get(String name) {
        PartSource src;
        try {
            src = files.openRead(name, COORDINATOR);
        } catch (IOException e) {
            throw new NoSuchElementException("no complete object " + name + ": " + e.getMessage());
        }
        return new Iterator<>() {
            private long next;

            @Override
            public boolean hasNext() {
                boolean more = next < src.partCount();
                if (!more) {
                    close();
                }
                return more;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    return src.part(next++).toByteArray();
                } catch (IOException e) {
                    close();
                    throw new UncheckedIOException("cannot read part " + (next - 1) + " of " + name + ": "
                            + e.getMessage(), e);
                }
            }

            private void close() {
                try {
                    src.close();
                } catch (IOException e) {
                    // reading is over either way
                }
            }
        };
    }

    @Override
    public boolean contains(String name) {
        try {
            return files.status(name, COORDINATOR).complete();
        } catch (IOException e) {
            return false;
        }
    }
}
