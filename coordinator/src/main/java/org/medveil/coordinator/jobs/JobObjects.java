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

    private final FileTransferStore files;

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
    }

    /** What the Transfer service serves. */
    public TransferStore transferStore() {
        return files;
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
