package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection cut mid-transfer (the server dropped hard, then back on the same port): the
 * upload continues at the first part the server had not made durable, so no acknowledged part
 * is sent twice; the download continues at the first part the consumer had not taken.
 */
@Tag("issue-13")
class TransferResumeTest {
    private static final int PART = 32 * 1024;
    private static final TransferClient.Options OPTIONS = TransferClient.Options.defaults().withMaxPartBytes(PART)
            .withTimeout(Duration.ofSeconds(60)).withRetries(20, Duration.ofMillis(100), Duration.ofMillis(500));

    @TempDir
    Path dir;

    /** Records every index the client asks the producer for, per call. */
    private static final class RecordingProducer implements PartProducer {
        final List<Long> asked = new CopyOnWriteArrayList<>();
        final long n;
        volatile long failAt = -1;

        RecordingProducer(long n) {
            this.n = n;
        }

        @Override
        public long partCount() {
            return n;
        }

        @Override
        public ByteString part(long index) throws java.io.IOException {
            if (index == failAt) {
                throw new java.io.IOException("producer stopped (simulated crash of the uploading process)");
            }
            asked.add(index);
            return TestData.part(index, PART);
        }
    }

    @Test
    void uploadCutByAServerDropResumesAtTheAcknowledgedPart() throws Exception {
        TestTls tls = new TestTls();
        CountingStore store = new CountingStore(new FileTransferStore(dir, TransferPolicy.ALLOW_ALL));
        long n = 60;
        long cutAfter = 20;
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch restarted = new CountDownLatch(1);
        store.afterAccept = i -> {
            if (i == cutAfter) {
                reached.countDown();
            }
        };
        TestServer server = new TestServer(tls, store, PART);
        ManagedChannel ch = server.channel("site-a");
        try {
            RecordingProducer producer = new RecordingProducer(n);
            TransferClient client = new TransferClient(ch, OPTIONS);
            CompletableFuture<TransferClient.UploadResult> upload = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.upload("jobs/J/rounds/1/updates/site-a", producer);
                } catch (TransferException e) {
                    throw new RuntimeException(e);
                }
            });
            assertTrue(reached.await(30, TimeUnit.SECONDS), "the upload reached part " + cutAfter);
            server.kill();
            long durableAtCut = store.inner.status("jobs/J/rounds/1/updates/site-a", "site-a").nextIndex();
            server.start();
            TransferClient.UploadResult r = upload.get(60, TimeUnit.SECONDS);

            assertArrayEquals(TestData.sha256(n, PART, PART), r.sha256());
            assertTrue(r.attempts() >= 2, "the cut forced a second attempt");
            // the sink took every part exactly once: nothing durable was sent again
            assertEquals(LongStream.range(0, n).boxed().toList(), store.accepted);
            // the second attempt started where the server stood, and the client re-sent only parts lost in flight
            assertEquals(2, store.openedAt.size(), "one open per attempt");
            long resumedAt = store.openedAt.get(1);
            // a part in the sink's hands when the connection dropped may still have become durable
            assertTrue(resumedAt >= durableAtCut, "resumed at " + resumedAt + ", durable at the cut " + durableAtCut);
            assertTrue(resumedAt > cutAfter);
            int restart = firstBackwardsJump(producer.asked);
            assertEquals(resumedAt, producer.asked.get(restart), "the client continued at the acknowledged index");
            long resent = producer.asked.size() - n;
            assertTrue(resent >= 0 && resent <= OPTIONS.window(), "re-sent " + resent + " parts, at most the window");
            assertEquals(n + resent, r.partsSent());
        } finally {
            ch.shutdownNow();
            server.kill();
        }
    }

    @Test
    void uploadInANewProcessContinuesFromTheServersStatus() throws Exception {
        TestTls tls = new TestTls();
        CountingStore store = new CountingStore(new InMemoryTransferStore(TransferPolicy.ALLOW_ALL));
        long n = 30;
        try (TestServer server = new TestServer(tls, store, PART)) {
            ManagedChannel ch = server.channel("site-a");
            RecordingProducer crashing = new RecordingProducer(n);
            crashing.failAt = 12;
            TransferException e = assertThrows(TransferException.class, () -> new TransferClient(ch, OPTIONS).upload("u", crashing));
            assertEquals(TransferException.Reason.IO, e.reason());
            assertTrue(e.getMessage().contains("producing part 12"), e.getMessage());

            // a new client (as after a restart of the uploading process)
            TransferClient fresh = new TransferClient(ch, OPTIONS);
            long at = fresh.status("u").nextIndex();
            assertTrue(at > 0 && at <= 12, "status shows the durable prefix, got " + at);
            RecordingProducer producer = new RecordingProducer(n);
            TransferClient.UploadResult r = fresh.upload("u", producer);
            assertEquals(n - at, r.partsSent(), "only the missing parts went on the wire");
            assertArrayEquals(TestData.sha256(n, PART, PART), r.sha256());
            assertEquals(LongStream.range(0, n).boxed().toList(), store.accepted);
            // the prefix was read locally once, to compute the object's digest
            assertEquals(LongStream.range(0, n).boxed().toList(), producer.asked);
            ch.shutdownNow();
        }
    }

    @Test
    void downloadCutByAServerDropResumesAtTheFirstPartNotConsumed() throws Exception {
        TestTls tls = new TestTls();
        InMemoryTransferStore mem = new InMemoryTransferStore(TransferPolicy.ALLOW_ALL);
        long n = 80;
        List<ByteString> parts = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            parts.add(TestData.part(i, PART));
        }
        mem.put("jobs/J/rounds/1/model", parts);
        CountingStore store = new CountingStore(mem);
        TestServer server = new TestServer(tls, store, PART);
        ManagedChannel ch = server.channel("site-a");
        try {
            List<Long> consumed = new ArrayList<>();
            AtomicReference<Exception> restartFailure = new AtomicReference<>();
            PartConsumer consumer = (index, data) -> {
                assertEquals(TestData.part(index, PART), data);
                consumed.add(index);
                if (index == 15) {
                    try {
                        server.kill();
                        server.start();
                    } catch (Exception e) {
                        restartFailure.set(e);
                    }
                }
            };
            TransferClient.DownloadResult r = new TransferClient(ch, OPTIONS).download("jobs/J/rounds/1/model", 0, consumer);
            assertEquals(null, restartFailure.get());
            assertTrue(r.verified());
            assertTrue(r.attempts() >= 2, "the cut forced a second attempt");
            assertEquals(LongStream.range(0, n).boxed().toList(), consumed, "every part exactly once, in order");
            assertEquals(2, store.readPerSource.size(), "one source per attempt");
            // parts that had reached the client before the cut are still consumed; then it asks from the next one
            long resumedAt = store.readPerSource.get(1).get(0);
            assertTrue(resumedAt >= 16 && resumedAt < n, "second attempt started at " + resumedAt);
            assertEquals(n - resumedAt, store.readPerSource.get(1).size(), "nothing before it was sent again");
        } finally {
            ch.shutdownNow();
            server.kill();
        }
    }

    @Test
    void aServerThatStaysDownMakesTheClientGiveUpWithAClearReason() throws Exception {
        TestServer server = new TestServer(new TestTls(), new InMemoryTransferStore(TransferPolicy.ALLOW_ALL), PART);
        ManagedChannel ch = server.channel("site-a");
        server.kill();
        try {
            TransferClient client = new TransferClient(ch, OPTIONS.withRetries(3, Duration.ofMillis(50), Duration.ofMillis(100))
                    .withConnectTimeout(Duration.ofMillis(300)));
            long t0 = System.nanoTime();
            TransferException up = assertThrows(TransferException.class, () -> client.upload("u", new RecordingProducer(3)));
            assertEquals(TransferException.Reason.UNAVAILABLE, up.reason());
            assertTrue(up.getMessage().contains("gave up after 3 failed attempts"), up.getMessage());
            TransferException down = assertThrows(TransferException.class, () -> client.download("u", 0, (i, d) -> { }));
            assertEquals(TransferException.Reason.UNAVAILABLE, down.reason());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "gave up in bounded time");
        } finally {
            ch.shutdownNow();
        }
    }

    /** Where a sequence of indices stops counting up by one: the start of the second attempt. */
    private static int firstBackwardsJump(List<Long> seq) {
        for (int i = 1; i < seq.size(); i++) {
            if (seq.get(i) != seq.get(i - 1) + 1) {
                return i;
            }
        }
        throw new AssertionError("no second attempt in " + seq);
    }
}
