package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client side of {@code medveil.v1.Transfer}: blocking {@link #upload} and {@link #download}
 * calls that move an object of any size in parts, hold at most {@link Options#window()} parts
 * in flight, resume after a dropped connection at the first part the server has not
 * acknowledged (upload) or the caller has not consumed (download), and give up with a
 * {@link TransferException} after {@link Options#maxAttempts()} failed attempts in a row or
 * when {@link Options#timeout()} has passed.
 *
 * <p>The channel must accept messages of {@link TransferService#maxMessageBytes(int)}.
 */
public final class TransferClient {

    /**
     * How a client transfers.
     *
     * @param maxPartBytes the largest part the producer may give (the server's limit too)
     * @param window parts sent but not yet acknowledged (upload) or requested but not yet consumed (download)
     * @param timeout for a whole upload or download, retries included
     * @param maxAttempts failed attempts in a row before giving up; an attempt that made progress resets the count
     * @param initialBackoff the wait after the first failure, doubled after each further one
     * @param maxBackoff the longest wait between attempts
     * @param connectTimeout how long an attempt waits for the server's first answer (the channel
     *     reconnecting included) before it counts as failed
     */
    public record Options(int maxPartBytes, int window, Duration timeout, int maxAttempts, Duration initialBackoff,
                          Duration maxBackoff, Duration connectTimeout) {
        public Options {
            if (maxPartBytes <= 0 || window <= 0 || maxAttempts <= 0) {
                throw new IllegalArgumentException("maxPartBytes, window and maxAttempts must be positive");
            }
        }

        /** 4 MiB parts, a window of 4, 30 minutes, 8 attempts, backoff 200 ms up to 10 s, 30 s to get an answer. */
        public static Options defaults() {
            return new Options(4 << 20, 4, Duration.ofMinutes(30), 8, Duration.ofMillis(200), Duration.ofSeconds(10),
                    Duration.ofSeconds(30));
        }

        public Options withMaxPartBytes(int v) {
            return new Options(v, window, timeout, maxAttempts, initialBackoff, maxBackoff, connectTimeout);
        }

        public Options withWindow(int v) {
            return new Options(maxPartBytes, v, timeout, maxAttempts, initialBackoff, maxBackoff, connectTimeout);
        }

        public Options withTimeout(Duration v) {
            return new Options(maxPartBytes, window, v, maxAttempts, initialBackoff, maxBackoff, connectTimeout);
        }

        public Options withRetries(int attempts, Duration initial, Duration max) {
            return new Options(maxPartBytes, window, timeout, attempts, initial, max, connectTimeout);
        }

        public Options withConnectTimeout(Duration v) {
            return new Options(maxPartBytes, window, timeout, maxAttempts, initialBackoff, maxBackoff, v);
        }
    }

    /** A finished upload: the object's parts and digest, parts put on the wire, attempts made. */
    public record UploadResult(long partCount, byte[] sha256, long partsSent, int attempts) {
    }

    /**
     * A finished download. {@code verified} is true when this call received the object from
     * part 0 and checked its SHA-256; when it started later the consumer must check the digest.
     */
    public record DownloadResult(long partCount, byte[] sha256, boolean verified, int attempts) {
    }

    private final TransferGrpc.TransferStub stub;
    private final TransferGrpc.TransferBlockingStub blocking;
    private final Options options;

    public TransferClient(Channel channel, Options options) {
        this.stub = TransferGrpc.newStub(channel);
        this.blocking = TransferGrpc.newBlockingStub(channel);
        this.options = options;
    }

    /** Where an upload of {@code object} stands at the server. */
    public TransferStore.UploadState status(String object) throws TransferException {
        try {
            UploadStatusResponse r = blocking.withDeadlineAfter(options.timeout().toNanos(), TimeUnit.NANOSECONDS)
                    .uploadStatus(UploadStatusRequest.newBuilder().setObject(object).build());
            return new TransferStore.UploadState(r.getNextIndex(), r.getComplete() ? r.getSha256().toByteArray() : null);
        } catch (StatusRuntimeException e) {
            throw map(e, "status of '" + object + "'");
        }
    }

    // ---------------------------------------------------------------- upload

    /**
     * Uploads {@code object}, continuing where the server's sink stands (a resume if an earlier
     * upload was cut off), and returns once the server verified the whole object's SHA-256.
     */
    public UploadResult upload(String object, PartProducer producer) throws TransferException {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        Hasher hasher = new Hasher(object, producer);
        long[] sent = {0};
        int attempts = 0;
        int failuresInRow = 0;
        while (true) {
            attempts++;
            UploadCall call = new UploadCall(options.window());
            try {
                byte[] sha = uploadOnce(object, producer, hasher, call, deadline, sent);
                return new UploadResult(producer.partCount(), sha, sent[0], attempts);
            } catch (StatusRuntimeException e) {
                failuresInRow = call.progressed ? 1 : failuresInRow + 1;
                retryOrThrow(e, failuresInRow, deadline, "upload of '" + object + "'");
            } catch (TransferException e) {
                call.cancel(e.getMessage());
                throw e;
            }
        }
    }

    private byte[] uploadOnce(String object, PartProducer producer, Hasher hasher, UploadCall call, long deadline,
                              long[] sent) throws TransferException {
        long n = producer.partCount();
        stub.withDeadlineAfter(remaining(deadline, object), TimeUnit.NANOSECONDS).withWaitForReady().upload(call);
        call.send(UploadMessage.newBuilder().setOpen(UploadOpen.newBuilder().setObject(object).setPartCount(n)).build());
        UploadAck first = call.awaitFirstAck(Math.min(deadline, System.nanoTime() + options.connectTimeout().toNanos()), deadline, object);
        if (first.getComplete()) {
            byte[] mine = hasher.digestThrough(n);
            call.finishStream();
            if (!MessageDigest.isEqual(mine, first.getSha256().toByteArray())) {
                throw new TransferException(TransferException.Reason.CONFLICT, "'" + object + "' is already complete at the server with SHA-256 "
                        + Digests.hex(first.getSha256().toByteArray()) + ", not this object's " + Digests.hex(mine));
            }
            return mine;
        }
        long start = first.getNextIndex();
        if (start > n) {
            throw new TransferException(TransferException.Reason.PROTOCOL, "the server holds " + start + " parts of '" + object
                    + "' but this object has only " + n + "; it is another object under the same name");
        }
        hasher.digestPrefix(start);
        for (long i = start; i < n; i++) {
            call.awaitRoomFor(i, deadline, object);
            ByteString data = hasher.produce(i);
            if (data.size() > options.maxPartBytes()) {
                throw new TransferException(TransferException.Reason.TOO_LARGE, "part " + i + " of '" + object + "' has "
                        + data.size() + " bytes; the limit is " + options.maxPartBytes());
            }
            call.send(UploadMessage.newBuilder().setPart(Part.newBuilder().setIndex(i).setData(data)).build());
            sent[0]++;
        }
        byte[] sha = hasher.digestThrough(n);
        call.send(UploadMessage.newBuilder().setFinish(UploadFinish.newBuilder().setPartCount(n).setSha256(ByteString.copyFrom(sha))).build());
        call.awaitAck(Long.MAX_VALUE, deadline, object);
        call.finishStream();
        return sha;
    }

    /** Hashes the object in order as parts are produced, reading acknowledged ones only when resuming in a new process. */
    private static final class Hasher {
        private final String object;
        private final PartProducer producer;
        private final MessageDigest md = Digests.sha256();
        private long hashedUpTo;
        private byte[] done;

        Hasher(String object, PartProducer producer) {
            this.object = object;
            this.producer = producer;
        }

        ByteString produce(long i) throws TransferException {
            ByteString data;
            try {
                data = producer.part(i);
            } catch (TransferException e) {
                throw e;
            } catch (Exception e) {
                throw new TransferException(TransferException.Reason.IO, "producing part " + i + " of '" + object + "' failed: " + e, e);
            }
            if (i == hashedUpTo) {
                data.asReadOnlyByteBufferList().forEach(md::update);
                hashedUpTo++;
            }
            return data;
        }

        void digestPrefix(long upTo) throws TransferException {
            while (hashedUpTo < upTo) {
                produce(hashedUpTo);
            }
        }

        byte[] digestThrough(long n) throws TransferException {
            if (done == null) {
                digestPrefix(n);
                done = md.digest();
            }
            return done.clone();
        }
    }

    /** One Upload call: the acks and readiness the sending thread waits on. */
    private static final class UploadCall implements ClientResponseObserver<UploadMessage, UploadAck> {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final int window;
        private ClientCallStreamObserver<UploadMessage> requests;
        private UploadAck lastAck;
        private Throwable error;
        private boolean completed;
        volatile boolean progressed;

        UploadCall(int window) {
            this.window = window;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<UploadMessage> r) {
            requests = r;
            r.setOnReadyHandler(this::signal);
        }

        @Override
        public void onNext(UploadAck ack) {
            lock.lock();
            try {
                if (lastAck != null && ack.getNextIndex() > lastAck.getNextIndex()) {
                    progressed = true;
                }
                lastAck = ack;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onError(Throwable t) {
            lock.lock();
            try {
                error = t;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onCompleted() {
            lock.lock();
            try {
                completed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private void signal() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void send(UploadMessage m) {
            requests.onNext(m);
        }

        /** Waits for the answer to the open; no answer by {@code answerBy} counts as a lost connection. */
        UploadAck awaitFirstAck(long answerBy, long deadline, String object) throws TransferException {
            if (answerBy < deadline) {
                try {
                    return awaitAck(0, answerBy, object);
                } catch (TransferException e) {
                    if (e.reason() == TransferException.Reason.DEADLINE && System.nanoTime() < deadline) {
                        throw Status.UNAVAILABLE.withDescription("no answer from the server within the connect timeout").asRuntimeException();
                    }
                    throw e;
                }
            }
            return awaitAck(0, deadline, object);
        }

        /** Waits for an ack: the first one if {@code minIndex} is 0, the completing one if it is Long.MAX_VALUE. */
        UploadAck awaitAck(long minIndex, long deadline, String object) throws TransferException {
            return await(deadline, object, () -> lastAck != null
                    && (minIndex == 0 || (minIndex == Long.MAX_VALUE ? lastAck.getComplete() : lastAck.getNextIndex() >= minIndex)))
                    ? lastAck : null;
        }

        /** Waits until part {@code i} may be sent: fewer than window parts unacknowledged, and the transport ready. */
        void awaitRoomFor(long i, long deadline, String object) throws TransferException {
            await(deadline, object, () -> i - lastAck.getNextIndex() < window && requests.isReady());
        }

        private boolean await(long deadline, String object, java.util.function.BooleanSupplier ready) throws TransferException {
            lock.lock();
            try {
                while (true) {
                    if (error != null) {
                        Metadata trailers = Status.trailersFromThrowable(error);
                        throw Status.fromThrowable(error).asRuntimeException(trailers == null ? new Metadata() : trailers);
                    }
                    if (ready.getAsBoolean()) {
                        return true;
                    }
                    if (completed) {
                        throw Status.INTERNAL.withDescription("the server ended the upload without completing it").asRuntimeException();
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        cancel("deadline");
                        throw new TransferException(TransferException.Reason.DEADLINE, "upload of '" + object
                                + "' did not finish within its time limit; raise the timeout or check the link");
                    }
                    // onReady may race with isReady(); wake up now and then to look again
                    changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel("interrupted");
                throw new TransferException(TransferException.Reason.IO, "upload of '" + object + "' was interrupted");
            } finally {
                lock.unlock();
            }
        }

        void finishStream() {
            requests.onCompleted();
        }

        void cancel(String why) {
            if (requests != null) {
                requests.cancel(why, null);
            }
        }

    }

    // ---------------------------------------------------------------- download

    /**
     * Downloads {@code object} from part {@code fromPart} into {@code consumer}, asking the
     * server for at most {@link Options#window()} parts beyond what the consumer has taken.
     * After a dropped connection it asks again from the first part not yet consumed.
     */
    public DownloadResult download(String object, long fromPart, PartConsumer consumer) throws TransferException {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        DownloadState st = new DownloadState(object, fromPart, consumer);
        int attempts = 0;
        int failuresInRow = 0;
        while (true) {
            attempts++;
            long before = st.next;
            try {
                downloadOnce(st, deadline);
                boolean verified = fromPart == 0;
                if (verified) {
                    byte[] actual = st.md.digest();
                    if (!MessageDigest.isEqual(actual, st.sha256)) {
                        throw new TransferException(TransferException.Reason.DIGEST_MISMATCH, "SHA-256 of the downloaded '" + object
                                + "' is " + Digests.hex(actual) + " but the server declared " + Digests.hex(st.sha256)
                                + "; discard what was received and download again");
                    }
                }
                return new DownloadResult(st.partCount, st.sha256.clone(), verified, attempts);
            } catch (StatusRuntimeException e) {
                failuresInRow = st.next > before ? 1 : failuresInRow + 1;
                retryOrThrow(e, failuresInRow, deadline, "download of '" + object + "'");
            }
        }
    }

    /** What survives between attempts of one download. */
    private static final class DownloadState {
        final String object;
        final PartConsumer consumer;
        final MessageDigest md = Digests.sha256();
        long next;
        long partCount = -1;
        byte[] sha256;

        DownloadState(String object, long from, PartConsumer consumer) {
            this.object = object;
            this.next = from;
            this.consumer = consumer;
        }
    }

    private static final Object END = new Object();

    private void downloadOnce(DownloadState st, long deadline) throws TransferException {
        String object = st.object;
        // unbounded type, bounded use: the server never has more than `window` parts requested
        BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        @SuppressWarnings("unchecked")
        ClientCallStreamObserver<DownloadRequest>[] call = new ClientCallStreamObserver[1];
        ClientResponseObserver<DownloadRequest, DownloadMessage> observer = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<DownloadRequest> r) {
                call[0] = r;
                r.disableAutoRequestWithInitial(1); // the ObjectInfo
            }

            @Override
            public void onNext(DownloadMessage m) {
                inbox.add(m);
            }

            @Override
            public void onError(Throwable t) {
                inbox.add(t);
            }

            @Override
            public void onCompleted() {
                inbox.add(END);
            }
        };
        stub.withDeadlineAfter(remaining(deadline, object), TimeUnit.NANOSECONDS).withWaitForReady()
                .download(DownloadRequest.newBuilder().setObject(object).setFromPart(st.next).build(), observer);
        long answerBy = Math.min(deadline, System.nanoTime() + options.connectTimeout().toNanos());
        boolean answered = false;
        try {
            while (true) {
                Object o = inbox.poll(Math.max(0, (answered ? deadline : answerBy) - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (o == null && !answered && answerBy < deadline) {
                    call[0].cancel("no answer", null);
                    throw Status.UNAVAILABLE.withDescription("no answer from the server within the connect timeout").asRuntimeException();
                }
                answered = true;
                if (o == null) {
                    call[0].cancel("deadline", null);
                    throw new TransferException(TransferException.Reason.DEADLINE, "download of '" + object
                            + "' did not finish within its time limit; raise the timeout or check the link");
                }
                if (o instanceof Throwable t) {
                    Metadata trailers = Status.trailersFromThrowable(t);
                    throw Status.fromThrowable(t).asRuntimeException(trailers == null ? new Metadata() : trailers);
                }
                if (o == END) {
                    if (st.partCount < 0 || st.next != st.partCount) {
                        throw new TransferException(TransferException.Reason.PROTOCOL, "the server ended the download of '"
                                + object + "' at part " + st.next + " of " + st.partCount);
                    }
                    return;
                }
                DownloadMessage m = (DownloadMessage) o;
                if (m.hasInfo()) {
                    byte[] sha = m.getInfo().getSha256().toByteArray();
                    if (st.sha256 == null) {
                        st.partCount = m.getInfo().getPartCount();
                        st.sha256 = sha;
                        st.consumer.begin(st.partCount, sha.clone());
                    } else if (st.partCount != m.getInfo().getPartCount() || !MessageDigest.isEqual(st.sha256, sha)) {
                        throw new TransferException(TransferException.Reason.CONFLICT, "'" + object
                                + "' changed at the server between two attempts of one download; download it again");
                    }
                    call[0].request(options.window());
                } else if (m.hasPart()) {
                    Part p = m.getPart();
                    if (st.sha256 == null || p.getIndex() != st.next) {
                        throw new TransferException(TransferException.Reason.PROTOCOL, "the server sent part " + p.getIndex()
                                + " of '" + object + "' where part " + st.next + (st.sha256 == null ? " with its info" : "") + " was due");
                    }
                    st.consumer.accept(p.getIndex(), p.getData());
                    st.md.update(p.getData().asReadOnlyByteBuffer());
                    st.next++;
                    call[0].request(1);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call[0].cancel("interrupted", null);
            throw new TransferException(TransferException.Reason.IO, "download of '" + object + "' was interrupted");
        } catch (TransferException e) {
            call[0].cancel(e.getMessage(), null);
            throw e;
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof StatusRuntimeException sre) {
                throw sre;
            }
            call[0].cancel("consumer failed", null);
            throw new TransferException(TransferException.Reason.IO, "consuming part " + st.next + " of '" + object + "' failed: " + e, e);
        }
    }

    // ---------------------------------------------------------------- shared

    private long remaining(long deadline, String object) throws TransferException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new TransferException(TransferException.Reason.DEADLINE, "transfer of '" + object
                    + "' did not finish within its time limit; raise the timeout or check the link");
        }
        return left;
    }

    /** Sleeps before the next attempt if the failure is a lost connection and attempts are left; else throws. */
    private void retryOrThrow(StatusRuntimeException e, int failuresInRow, long deadline, String what) throws TransferException {
        TransferException mapped = map(e, what);
        boolean transportFailure = e.getTrailers() == null || e.getTrailers().get(TransferException.REASON) == null;
        Status.Code code = e.getStatus().getCode();
        boolean retryable = transportFailure && (code == Status.Code.UNAVAILABLE || code == Status.Code.INTERNAL
                || code == Status.Code.CANCELLED);
        if (!retryable || failuresInRow >= options.maxAttempts()) {
            if (retryable) {
                throw new TransferException(TransferException.Reason.UNAVAILABLE, what + " gave up after " + failuresInRow
                        + " failed attempts in a row; last: " + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
            }
            throw mapped;
        }
        long backoff = Math.min(options.maxBackoff().toNanos(), options.initialBackoff().toNanos() << Math.min(20, failuresInRow - 1));
        long sleep = Math.min(backoff, deadline - System.nanoTime());
        if (sleep <= 0) {
            throw new TransferException(TransferException.Reason.DEADLINE, what + " ran out of time while retrying; last: "
                    + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
        }
        try {
            TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new TransferException(TransferException.Reason.IO, what + " was interrupted while waiting to retry", ie);
        }
    }

    /** A gRPC failure as a TransferException with the server's reason, if it gave one. */
    static TransferException map(StatusRuntimeException e, String what) {
        Metadata t = e.getTrailers();
        String name = t == null ? null : t.get(TransferException.REASON);
        TransferException.Reason reason = null;
        if (name != null) {
            try {
                reason = TransferException.Reason.valueOf(name);
            } catch (IllegalArgumentException unknown) {
                reason = null; // a newer server's reason: fall back on the status code
            }
        }
        if (reason == null) {
            reason = switch (e.getStatus().getCode()) {
                case PERMISSION_DENIED, UNAUTHENTICATED -> TransferException.Reason.PERMISSION_DENIED;
                case NOT_FOUND -> TransferException.Reason.NOT_FOUND;
                case DATA_LOSS -> TransferException.Reason.DIGEST_MISMATCH;
                case RESOURCE_EXHAUSTED -> TransferException.Reason.TOO_LARGE;
                case UNAVAILABLE -> TransferException.Reason.UNAVAILABLE;
                case DEADLINE_EXCEEDED -> TransferException.Reason.DEADLINE;
                case ABORTED -> TransferException.Reason.SUPERSEDED;
                case ALREADY_EXISTS -> TransferException.Reason.CONFLICT;
                case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, UNIMPLEMENTED -> TransferException.Reason.PROTOCOL;
                default -> TransferException.Reason.IO;
            };
        }
        String desc = e.getStatus().getDescription();
        return new TransferException(reason, what + " failed: " + (desc == null ? e.getStatus().getCode().toString() : desc), e);
    }
}
