package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Run in a child JVM with a small heap by {@link TransferLargeObjectTest}: uploads and then
 * downloads an object of {@code args[0]} parts of {@code args[1]} bytes over mTLS on loopback.
 * The object is generated part by part and the server side only hashes it, so nothing holds it
 * whole; if anything did, this JVM would run out of heap. Prints one line starting with "OK".
 */
public final class LargeObjectRun {
    private LargeObjectRun() {
    }

    /** Sinks that only hash, sources that regenerate: a store of any size in constant memory. */
    static final class GeneratedStore implements TransferStore {
        final int partBytes;
        volatile long parts = -1;
        volatile byte[] sha;

        GeneratedStore(int partBytes) {
            this.partBytes = partBytes;
        }

        @Override
        public PartSource openRead(String object, String caller) throws IOException {
            if (sha == null) {
                throw new TransferException(TransferException.Reason.NOT_FOUND, "not uploaded yet");
            }
            return new PartSource() {
                public long partCount() {
                    return parts;
                }

                public ByteString part(long index) {
                    return TestData.part(index, partBytes);
                }

                public byte[] sha256() {
                    return sha.clone();
                }
            };
        }

        @Override
        public PartSink openWrite(String object, String caller) {
            MessageDigest md = Digests.sha256();
            long[] next = {0};
            return new PartSink() {
                public long nextIndex() {
                    return next[0];
                }

                public byte[] finishedSha256() {
                    return sha;
                }

                public void accept(long index, ByteString data) throws IOException {
                    if (index != next[0]) {
                        throw new TransferException(TransferException.Reason.PROTOCOL, "out of order");
                    }
                    data.asReadOnlyByteBufferList().forEach(md::update);
                    next[0]++;
                }

                public void finish(byte[] declared) throws IOException {
                    byte[] actual = md.digest();
                    if (!MessageDigest.isEqual(actual, declared)) {
                        throw Digests.mismatch(object, declared, actual);
                    }
                    parts = next[0];
                    sha = actual;
                }

                public void close() {
                }
            };
        }

        @Override
        public UploadState status(String object, String caller) {
            return new UploadState(0, sha);
        }
    }

    public static void main(String[] args) throws Exception {
        long n = Long.parseLong(args[0]);
        int part = Integer.parseInt(args[1]);
        TransferClient.Options options = TransferClient.Options.defaults().withMaxPartBytes(part).withTimeout(Duration.ofMinutes(5));
        long started = System.nanoTime();
        try (TestServer server = new TestServer(new TestTls(), new GeneratedStore(part), part)) {
            ManagedChannel ch = server.channel("site-a");
            TransferClient client = new TransferClient(ch, options);
            TransferClient.UploadResult up = client.upload("jobs/J/rounds/1/updates/site-a", TestData.producer(n, part, part));
            long uploaded = System.nanoTime();
            MessageDigest md = Digests.sha256();
            long[] bytes = {0};
            TransferClient.DownloadResult down = client.download("jobs/J/rounds/1/updates/site-a", 0, (i, data) -> {
                data.asReadOnlyByteBufferList().forEach(md::update);
                bytes[0] += data.size();
            });
            long downloaded = System.nanoTime();
            byte[] mine = md.digest();
            if (!down.verified() || !MessageDigest.isEqual(mine, up.sha256()) || down.partCount() != n) {
                System.out.println("FAILED download digest " + HexFormat.of().formatHex(mine));
                System.exit(1);
            }
            ch.shutdownNow();
            long peak = peakHeap();
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("OK sha256=%s bytes=%d upload_s=%.1f download_s=%.1f peak_heap_mib=%d used_after_gc_mib=%d xmx_mib=%d%n",
                    HexFormat.of().formatHex(up.sha256()), bytes[0], (uploaded - started) / 1e9, (downloaded - uploaded) / 1e9,
                    peak >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
        }
        System.exit(0);
    }

    /** The peak heap use over the run, garbage included (sum of the heap pools' peaks). */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
