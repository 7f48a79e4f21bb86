package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Upload and download over real mTLS gRPC on loopback: content, digests, refusals, the file store's recovery. */
@Tag("issue-13")
class TransferRoundTripTest {
    private static final int PART = 64 * 1024;
    private static final TransferClient.Options OPTIONS = TransferClient.Options.defaults().withMaxPartBytes(PART)
            .withTimeout(Duration.ofSeconds(60)).withRetries(3, Duration.ofMillis(50), Duration.ofMillis(200));

    /** Sites write only their own updates; everyone reads models. */
    static final TransferPolicy SITE_POLICY = new TransferPolicy() {
        @Override
        public boolean mayRead(String caller, String object) {
            return object.endsWith("/model") || caller.equals("coordinator");
        }

        @Override
        public boolean mayWrite(String caller, String object) {
            return object.endsWith("/updates/" + caller);
        }
    };

    @TempDir
    Path dir;
    private TestTls tls;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        tls = new TestTls();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private TestServer server(TransferStore store) throws Exception {
        TestServer s = new TestServer(tls, store, PART);
        closing.add(s);
        return s;
    }

    private ManagedChannel channel(TestServer s, String cn) throws Exception {
        ManagedChannel ch = s.channel(cn);
        closing.add(0, () -> {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        });
        return ch;
    }

    /** Collects a download in memory (small objects only). */
    private static class Collect implements PartConsumer {
        final List<ByteString> parts = new ArrayList<>();
        long begunWith = -1;

        @Override
        public void begin(long partCount, byte[] sha256) {
            begunWith = partCount;
        }

        @Override
        public void accept(long index, ByteString data) {
            assertEquals(parts.size(), index, "parts in order");
            parts.add(data);
        }
    }

    @Test
    void multiPartObjectRoundTripsThroughBothStores() throws Exception {
        for (TransferStore store : List.of(new InMemoryTransferStore(SITE_POLICY), new FileTransferStore(dir.resolve("store"), SITE_POLICY))) {
            TestServer s = server(store);
            String object = "jobs/J1/rounds/3/updates/site-a";
            long n = 9;
            int last = 1234;
            TransferClient site = new TransferClient(channel(s, "site-a"), OPTIONS);
            TransferClient.UploadResult up = site.upload(object, TestData.producer(n, PART, last));
            assertArrayEquals(TestData.sha256(n, PART, last), up.sha256());
            assertEquals(n, up.partsSent());
            assertTrue(site.status(object).complete());

            Collect got = new Collect();
            TransferClient coordinator = new TransferClient(channel(s, "coordinator"), OPTIONS);
            TransferClient.DownloadResult down = coordinator.download(object, 0, got);
            assertTrue(down.verified());
            assertEquals(n, got.begunWith);
            assertEquals(n, got.parts.size());
            for (int i = 0; i < n; i++) {
                assertEquals(TestData.part(i, i == n - 1 ? last : PART), got.parts.get(i), "part " + i);
            }
            // a download can start later; the consumer then gets the rest only
            Collect tail = new Collect() {
                @Override
                public void accept(long index, ByteString data) {
                    parts.add(data);
                }
            };
            TransferClient.DownloadResult rest = coordinator.download(object, 7, tail);
            assertFalse(rest.verified());
            assertEquals(List.of(TestData.part(7, PART), TestData.part(8, last)), tail.parts);

            // uploading the same object again is a no-op that confirms the digest
            assertEquals(0, site.upload(object, TestData.producer(n, PART, last)).partsSent());
            // other content under the same name is refused
            TransferException conflict = assertThrows(TransferException.class,
                    () -> site.upload(object, TestData.producer(n, PART, last - 1)));
            assertEquals(TransferException.Reason.CONFLICT, conflict.reason());
            s.kill();
        }
    }

    @Test
    void emptyObjectRoundTrips() throws Exception {
        TestServer s = server(new InMemoryTransferStore(TransferPolicy.ALLOW_ALL));
        TransferClient c = new TransferClient(channel(s, "site-a"), OPTIONS);
        c.upload("empty", TestData.producer(0, PART, PART));
        Collect got = new Collect();
        assertTrue(c.download("empty", 0, got).verified());
        assertEquals(0, got.parts.size());
    }

    @Test
    void aWrongDigestIsRefusedAndTheObjectDiscarded() throws Exception {
        for (TransferStore store : List.of(new InMemoryTransferStore(TransferPolicy.ALLOW_ALL), new FileTransferStore(dir.resolve("d"), TransferPolicy.ALLOW_ALL))) {
            TestServer s = server(store);
            ManagedChannel ch = channel(s, "site-a");
            LinkedBlockingQueue<Object> replies = new LinkedBlockingQueue<>();
            StreamObserver<UploadMessage> up = TransferGrpc.newStub(ch).upload(new StreamObserver<>() {
                public void onNext(UploadAck a) {
                    replies.add(a);
                }

                public void onError(Throwable t) {
                    replies.add(t);
                }

                public void onCompleted() {
                    replies.add("end");
                }
            });
            up.onNext(UploadMessage.newBuilder().setOpen(UploadOpen.newBuilder().setObject("x/y")).build());
            up.onNext(UploadMessage.newBuilder().setPart(Part.newBuilder().setIndex(0).setData(TestData.part(0, 100))).build());
            byte[] wrong = TestData.sha256(1, 100, 100);
            wrong[0] ^= 1;
            up.onNext(UploadMessage.newBuilder().setFinish(UploadFinish.newBuilder().setPartCount(1).setSha256(ByteString.copyFrom(wrong))).build());
            assertEquals(0, ((UploadAck) replies.poll(10, TimeUnit.SECONDS)).getNextIndex());
            assertEquals(1, ((UploadAck) replies.poll(10, TimeUnit.SECONDS)).getNextIndex());
            Object err = replies.poll(10, TimeUnit.SECONDS);
            assertTrue(err instanceof StatusRuntimeException, "refused, got " + err);
            TransferException e = TransferClient.map((StatusRuntimeException) err, "upload");
            assertEquals(TransferException.Reason.DIGEST_MISMATCH, e.reason());
            assertTrue(e.getMessage().contains("discarded"), e.getMessage());
            TransferStore.UploadState st = new TransferClient(ch, OPTIONS).status("x/y");
            assertEquals(0, st.nextIndex());
            assertNull(st.sha256());
            TransferException missing = assertThrows(TransferException.class,
                    () -> new TransferClient(ch, OPTIONS).download("x/y", 0, new Collect()));
            assertEquals(TransferException.Reason.NOT_FOUND, missing.reason());
            s.kill();
        }
    }

    @Test
    void aSiteMayNotWriteAnotherSitesUpdateNorReadIt() throws Exception {
        InMemoryTransferStore store = new InMemoryTransferStore(SITE_POLICY);
        TestServer s = server(store);
        TransferClient siteB = new TransferClient(channel(s, "site-b"), OPTIONS);
        TransferException e = assertThrows(TransferException.class,
                () -> siteB.upload("jobs/J1/rounds/3/updates/site-a", TestData.producer(2, PART, 10)));
        assertEquals(TransferException.Reason.PERMISSION_DENIED, e.reason());
        assertTrue(e.getMessage().contains("'site-b' may not write 'jobs/J1/rounds/3/updates/site-a'"), e.getMessage());
        assertNull(store.get("jobs/J1/rounds/3/updates/site-a"));

        store.put("jobs/J1/rounds/3/updates/site-a", List.of(TestData.part(0, 10)));
        TransferException r = assertThrows(TransferException.class,
                () -> siteB.download("jobs/J1/rounds/3/updates/site-a", 0, new Collect()));
        assertEquals(TransferException.Reason.PERMISSION_DENIED, r.reason());
        assertTrue(r.getMessage().contains("'site-b' may not read"), r.getMessage());
    }

    @Test
    void aPartAboveTheServersLimitIsRefused() throws Exception {
        TestServer s = server(new InMemoryTransferStore(TransferPolicy.ALLOW_ALL));
        // a client configured for bigger parts than the server takes
        TransferClient c = new TransferClient(channel(s, "site-a"), OPTIONS.withMaxPartBytes(PART * 2));
        TransferException e = assertThrows(TransferException.class, () -> c.upload("big", TestData.producer(2, PART + 1, 5)));
        assertEquals(TransferException.Reason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("at most " + PART), e.getMessage());
        // and the client's own limit stops a producer that breaks it before anything is sent
        TransferClient small = new TransferClient(channel(s, "site-a"), OPTIONS.withMaxPartBytes(100));
        assertEquals(TransferException.Reason.TOO_LARGE,
                assertThrows(TransferException.class, () -> small.upload("big2", TestData.producer(2, 101, 5))).reason());
    }

    @Test
    void fileStoreRecoversItsIndexAfterARestartAndCutsATornTail() throws Exception {
        Path root = dir.resolve("fs");
        FileTransferStore store = new FileTransferStore(root, TransferPolicy.ALLOW_ALL);
        try (PartSink sink = store.openWrite("jobs/J/model", "c")) {
            for (int i = 0; i < 3; i++) {
                sink.accept(i, TestData.part(i, 1000));
            }
        }
        // a crash while appending part 3: some data written, no index entry
        try (FileChannel data = FileChannel.open(root.resolve("jobs/J/model.data"), StandardOpenOption.APPEND)) {
            data.write(ByteBuffer.wrap(new byte[500]));
        }
        // ... or an index entry whose data never made it
        try (FileChannel index = FileChannel.open(root.resolve("jobs/J/model.index"), StandardOpenOption.APPEND)) {
            index.write(ByteBuffer.allocate(8).putLong(0, 999_999));
        }
        FileTransferStore again = new FileTransferStore(root, TransferPolicy.ALLOW_ALL);
        assertEquals(3, again.status("jobs/J/model", "c").nextIndex());
        try (PartSink sink = again.openWrite("jobs/J/model", "c")) {
            assertEquals(3, sink.nextIndex());
            assertEquals(3000, Files.size(root.resolve("jobs/J/model.data")));
            sink.accept(3, TestData.part(3, 10));
            sink.finish(TestData.sha256(4, 1000, 10));
        }
        try (PartSource src = new FileTransferStore(root, TransferPolicy.ALLOW_ALL).openRead("jobs/J/model", "c")) {
            assertEquals(4, src.partCount());
            assertEquals(TestData.part(3, 10), src.part(3));
            assertEquals(TestData.part(1, 1000), src.part(1));
            assertArrayEquals(TestData.sha256(4, 1000, 10), src.sha256());
        }
    }

    @Test
    void aNewerWriterSupersedesAnOlderOneButStatusDoesNot() throws Exception {
        for (TransferStore store : List.of(new InMemoryTransferStore(TransferPolicy.ALLOW_ALL), new FileTransferStore(dir.resolve("s"), TransferPolicy.ALLOW_ALL))) {
            PartSink first = store.openWrite("o", "c");
            first.accept(0, TestData.part(0, 10));
            assertEquals(1, store.status("o", "c").nextIndex());
            first.accept(1, TestData.part(1, 10)); // status did not take over
            PartSink second = store.openWrite("o", "c");
            assertEquals(2, second.nextIndex());
            TransferException e = assertThrows(TransferException.class, () -> first.accept(2, TestData.part(2, 10)));
            assertEquals(TransferException.Reason.SUPERSEDED, e.reason());
            assertEquals(TransferException.Reason.PROTOCOL,
                    assertThrows(TransferException.class, () -> second.accept(3, TestData.part(3, 10))).reason());
            first.close();
            second.close();
        }
    }

    @Test
    void objectNamesThatCouldEscapeTheStoreAreRefused() throws IOException {
        FileTransferStore store = new FileTransferStore(dir.resolve("n"), TransferPolicy.ALLOW_ALL);
        for (String bad : List.of("../x", "a//b", "/abs", "a/./b", "a b", "")) {
            TransferException e = assertThrows(TransferException.class, () -> store.openWrite(bad, "c"), bad);
            assertEquals(TransferException.Reason.PROTOCOL, e.reason());
        }
        assertNotNull(store.openWrite("jobs/J-1/rounds/2/updates/site_a.v1", "c"));
    }
}
