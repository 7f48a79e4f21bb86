package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A slow receiver slows the sender instead of filling memory: the uploader never gets more than
 * its window of parts ahead of the server's sink, and the server never reads more than the
 * client asked for plus what HTTP/2 flow control lets into the pipe – a bound that does not grow
 * with the object.
 */
@Tag("issue-13")
class TransferFlowControlTest {
    private static final int PART = 64 * 1024;
    private static final TransferClient.Options OPTIONS = TransferClient.Options.defaults().withMaxPartBytes(PART)
            .withWindow(4).withTimeout(Duration.ofSeconds(60));

    @Test
    void aSlowSinkHoldsTheUploaderWithinItsWindow() throws Exception {
        long n = 64;
        CountingStore store = new CountingStore(new InMemoryTransferStore(TransferPolicy.ALLOW_ALL));
        AtomicLong produced = new AtomicLong();
        AtomicLong maxAhead = new AtomicLong();
        store.afterAccept = i -> sleep(10);
        PartProducer producer = new PartProducer() {
            @Override
            public long partCount() {
                return n;
            }

            @Override
            public ByteString part(long index) {
                long ahead = produced.incrementAndGet() - store.accepted.size();
                maxAhead.accumulateAndGet(ahead, Math::max);
                return TestData.part(index, PART);
            }
        };
        try (TestServer server = new TestServer(new TestTls(), store, PART)) {
            ManagedChannel ch = server.channel("site-a");
            TransferClient.UploadResult r = new TransferClient(ch, OPTIONS).upload("slow/sink", producer);
            assertArrayEquals(TestData.sha256(n, PART, PART), r.sha256());
            assertEquals(n, store.accepted.size());
            assertTrue(maxAhead.get() <= OPTIONS.window(),
                    "the producer ran " + maxAhead.get() + " parts ahead of the sink; the window is " + OPTIONS.window());
            assertTrue(maxAhead.get() >= 2, "the window was used at all (pipelining), got " + maxAhead.get());
            ch.shutdownNow();
        }
    }

    @Test
    void aSlowConsumerHoldsTheServerBack() throws Exception {
        long n = 128;
        InMemoryTransferStore mem = new InMemoryTransferStore(TransferPolicy.ALLOW_ALL);
        List<ByteString> parts = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            parts.add(TestData.part(i, PART));
        }
        mem.put("slow/consumer", parts);
        CountingStore store = new CountingStore(mem);
        AtomicLong consumed = new AtomicLong();
        AtomicLong maxAhead = new AtomicLong();
        store.beforeRead = i -> maxAhead.accumulateAndGet(i + 1 - consumed.get(), Math::max);
        try (TestServer server = new TestServer(new TestTls(), store, PART)) {
            ManagedChannel ch = server.channel("site-a");
            TransferClient.DownloadResult r = new TransferClient(ch, OPTIONS).download("slow/consumer", 0, (index, data) -> {
                sleep(5);
                consumed.incrementAndGet();
            });
            assertTrue(r.verified());
            assertEquals(n, consumed.get());
            // requested window + what the 1 MiB HTTP/2 window and the ~32 KiB send buffer can hold
            long bound = OPTIONS.window() + TestServer.FLOW_WINDOW / PART + 2;
            assertTrue(maxAhead.get() <= bound, "the server read " + maxAhead.get()
                    + " parts ahead of the consumer; flow control allows at most " + bound + " of " + n);
            ch.shutdownNow();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
