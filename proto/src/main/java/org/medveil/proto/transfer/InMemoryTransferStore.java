package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TransferStore} holding objects in memory: for tests and small objects only (a 2 GiB
 * object takes 2 GiB of heap here; use {@link FileTransferStore} for real ones).
 */
public final class InMemoryTransferStore implements TransferStore {
    private final TransferPolicy policy;
    private final Map<String, Entry> objects = new HashMap<>();

    public InMemoryTransferStore(TransferPolicy policy) {
        this.policy = policy;
    }

    /** Stores a complete object directly, e.g. a model the coordinator publishes. */
    public synchronized void put(String object, List<ByteString> parts) throws TransferException {
        Entry e = new Entry();
        e.parts.addAll(parts);
        parts.forEach(p -> e.digest.update(p.asReadOnlyByteBuffer()));
        e.sha256 = e.digest.digest();
        objects.put(ObjectNames.check(object), e);
    }

    /** The parts of a complete object, or null if it is not complete. */
    public synchronized List<ByteString> get(String object) {
        Entry e = objects.get(object);
        return e == null || e.sha256 == null ? null : List.copyOf(e.parts);
    }

    @Override
    public synchronized PartSource openRead(String object, String caller) throws IOException {
        ObjectNames.check(object);
        policy.checkRead(caller, object);
        Entry e = objects.get(object);
        if (e == null || e.sha256 == null) {
            throw new TransferException(TransferException.Reason.NOT_FOUND, "no complete object '" + object + "'");
        }
        List<ByteString> parts = List.copyOf(e.parts);
        byte[] sha = e.sha256.clone();
        return new PartSource() {
            @Override
            public long partCount() {
                return parts.size();
            }

            @Override
            public ByteString part(long index) {
                return parts.get(Math.toIntExact(index));
            }

            @Override
            public byte[] sha256() {
                return sha.clone();
            }
        };
    }

    @Override
    public synchronized PartSink openWrite(String object, String caller) throws IOException {
        ObjectNames.check(object);
        policy.checkWrite(caller, object);
        Entry e = objects.computeIfAbsent(object, k -> new Entry());
        long generation = ++e.generation;
        return new PartSink() {
            @Override
            public long nextIndex() {
                synchronized (InMemoryTransferStore.this) {
                    return e.parts.size();
                }
            }

            @Override
            public byte[] finishedSha256() {
                synchronized (InMemoryTransferStore.this) {
                    return e.sha256 == null ? null : e.sha256.clone();
                }
            }

            @Override
            public void accept(long index, ByteString data) throws IOException {
                synchronized (InMemoryTransferStore.this) {
                    current();
                    if (e.sha256 != null || index != e.parts.size()) {
                        throw new TransferException(TransferException.Reason.PROTOCOL, "part " + index + " of '" + object
                                + "' out of order: expected " + (e.sha256 != null ? "none (complete)" : e.parts.size()));
                    }
                    e.parts.add(data);
                    e.digest.update(data.asReadOnlyByteBuffer());
                }
            }

            @Override
            public void finish(byte[] sha256) throws IOException {
                synchronized (InMemoryTransferStore.this) {
                    current();
                    if (e.sha256 != null) {
                        return;
                    }
                    byte[] actual = e.digest.digest();
                    if (!MessageDigest.isEqual(actual, sha256)) {
                        objects.remove(object);
                        throw Digests.mismatch(object, sha256, actual);
                    }
                    e.sha256 = actual;
                }
            }

            @Override
            public void close() {
            }

            private void current() throws TransferException {
                if (e.generation != generation || objects.get(object) != e) {
                    throw new TransferException(TransferException.Reason.SUPERSEDED,
                            "a newer upload of '" + object + "' took over; this one stops");
                }
            }
        };
    }

    @Override
    public synchronized UploadState status(String object, String caller) throws IOException {
        ObjectNames.check(object);
        policy.checkWrite(caller, object);
        Entry e = objects.get(object);
        return e == null ? new UploadState(0, null) : new UploadState(e.parts.size(), e.sha256 == null ? null : e.sha256.clone());
    }

    private static final class Entry {
        final List<ByteString> parts = new ArrayList<>();
        final MessageDigest digest = Digests.sha256();
        byte[] sha256;
        long generation;
    }
}
