package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server side of {@code medveil.v1.Transfer} over a {@link TransferStore}. Downloads send a
 * part only while the stream {@code isReady()} and read it from the store only then; uploads
 * ask gRPC for one message at a time ({@code disableAutoRequest}/{@code request(1)}) and
 * acknowledge a part after the store's sink has taken it. So memory per call is about one
 * part, whatever the object size.
 *
 * <p>The server must accept messages of {@link #maxMessageBytes(int)} for its part size
 * ({@code maxInboundMessageSize} on the server builder, and on the client's channel).
 */
public final class TransferService extends TransferGrpc.TransferImplBase {
    private static final Logger LOG = Logger.getLogger(TransferService.class.getName());

    /** The caller's name, set by the server's authentication interceptor (e.g. from the client certificate). */
    public static final Context.Key<String> CALLER = Context.key("medveil-transfer-caller");

    private final TransferStore store;
    private final Supplier<String> caller;
    private final int maxPartBytes;

    /**
     * @param caller who is calling, read on the call's thread; e.g. {@code TransferService.CALLER::get}
     * @param maxPartBytes the largest part accepted; larger ones are refused TOO_LARGE
     */
    public TransferService(TransferStore store, Supplier<String> caller, int maxPartBytes) {
        this.store = store;
        this.caller = caller;
        this.maxPartBytes = maxPartBytes;
    }

    /** The gRPC message size that fits a part of {@code maxPartBytes} plus its framing. */
    public static int maxMessageBytes(int maxPartBytes) {
        return maxPartBytes + 1024;
    }

    @Override
    public void download(DownloadRequest request, StreamObserver<DownloadMessage> responseObserver) {
        ServerCallStreamObserver<DownloadMessage> out = (ServerCallStreamObserver<DownloadMessage>) responseObserver;
        PartSource source;
        try {
            ObjectNames.check(request.getObject());
            source = store.openRead(request.getObject(), callerName());
            if (request.getFromPart() > source.partCount()) {
                closeQuietly(source);
                throw new TransferException(TransferException.Reason.PROTOCOL, "from_part " + request.getFromPart()
                        + " is past the end of '" + request.getObject() + "' (" + source.partCount() + " parts)");
            }
        } catch (IOException | RuntimeException e) {
            out.onError(toStatus(e, "opening '" + request.getObject() + "' for download"));
            return;
        }
        Pump pump = new Pump(request, source, out);
        out.setOnCancelHandler(pump::cancelled);
        out.setOnReadyHandler(pump::run);
        pump.run();
    }

    /** Sends the next messages of a download while the transport can take them. */
    private static final class Pump implements Runnable {
        private final DownloadRequest request;
        private final PartSource source;
        private final ServerCallStreamObserver<DownloadMessage> out;
        private boolean infoSent;
        private boolean done;
        private long next;

        Pump(DownloadRequest request, PartSource source, ServerCallStreamObserver<DownloadMessage> out) {
            this.request = request;
            this.source = source;
            this.out = out;
            this.next = request.getFromPart();
        }

        @Override
        public synchronized void run() {
            try {
                // isReady() turns false once about 32 KiB are queued: one part at most is in our buffers
                while (!done && out.isReady()) {
                    if (!infoSent) {
                        out.onNext(DownloadMessage.newBuilder().setInfo(ObjectInfo.newBuilder()
                                .setPartCount(source.partCount()).setSha256(ByteString.copyFrom(source.sha256()))).build());
                        infoSent = true;
                    } else if (next < source.partCount()) {
                        ByteString data = source.part(next);
                        out.onNext(DownloadMessage.newBuilder().setPart(Part.newBuilder().setIndex(next).setData(data)).build());
                        next++;
                    } else {
                        done = true;
                        closeQuietly(source);
                        out.onCompleted();
                    }
                }
            } catch (IOException | RuntimeException e) {
                done = true;
                closeQuietly(source);
                out.onError(toStatus(e, "reading part " + next + " of '" + request.getObject() + "'"));
            }
        }

        synchronized void cancelled() {
            done = true;
            closeQuietly(source);
        }
    }

    @Override
    public StreamObserver<UploadMessage> upload(StreamObserver<UploadAck> responseObserver) {
        ServerCallStreamObserver<UploadAck> out = (ServerCallStreamObserver<UploadAck>) responseObserver;
        // one inbound message at a time: the next part is read off the wire only after the sink took this one
        out.disableAutoRequest();
        String who;
        try {
            who = callerName();
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return new StreamObserver<>() {
                public void onNext(UploadMessage m) {
                }

                public void onError(Throwable t) {
                }

                public void onCompleted() {
                }
            };
        }
        Upload upload = new Upload(out, who);
        out.setOnCancelHandler(upload::release);
        out.request(1);
        return upload;
    }

    /** One upload call: open, parts in order, finish. Callbacks are serialized by gRPC. */
    private final class Upload implements StreamObserver<UploadMessage> {
        private final ServerCallStreamObserver<UploadAck> out;
        private final String who;
        private String object = "";
        private PartSink sink;
        private long declaredParts;
        private boolean finished;
        private boolean failed;

        Upload(ServerCallStreamObserver<UploadAck> out, String who) {
            this.out = out;
            this.who = who;
        }

        @Override
        public void onNext(UploadMessage m) {
            if (failed) {
                return;
            }
            try {
                switch (m.getBodyCase()) {
                    case OPEN -> open(m.getOpen());
                    case PART -> part(m.getPart());
                    case FINISH -> finish(m.getFinish());
                    default -> throw new TransferException(TransferException.Reason.PROTOCOL,
                            "upload message without a known body (field " + m.getBodyCase() + "); is the client newer?");
                }
                out.request(1);
            } catch (IOException | RuntimeException e) {
                failed = true;
                release();
                out.onError(toStatus(e, "upload of '" + object + "'"));
            }
        }

        private void open(UploadOpen open) throws IOException {
            if (sink != null) {
                throw new TransferException(TransferException.Reason.PROTOCOL, "a second open in one upload of '" + object + "'");
            }
            object = open.getObject();
            declaredParts = open.getPartCount();
            sink = store.openWrite(object, who);
            ack();
        }

        private void part(Part p) throws IOException {
            requireOpen("part " + p.getIndex());
            if (p.getData().size() > maxPartBytes) {
                throw new TransferException(TransferException.Reason.TOO_LARGE, "part " + p.getIndex() + " of '" + object
                        + "' has " + p.getData().size() + " bytes; the server takes at most " + maxPartBytes + " per part");
            }
            if (declaredParts > 0 && p.getIndex() >= declaredParts) {
                throw new TransferException(TransferException.Reason.PROTOCOL, "part " + p.getIndex() + " of '" + object
                        + "' is past the declared " + declaredParts + " parts");
            }
            sink.accept(p.getIndex(), p.getData());
            ack();
        }

        private void finish(UploadFinish f) throws IOException {
            requireOpen("finish");
            if (sink.nextIndex() != f.getPartCount() || (declaredParts > 0 && declaredParts != f.getPartCount())) {
                throw new TransferException(TransferException.Reason.PROTOCOL, "finish of '" + object + "' says "
                        + f.getPartCount() + " parts, but the server has " + sink.nextIndex()
                        + (declaredParts > 0 ? " and the open declared " + declaredParts : ""));
            }
            sink.finish(f.getSha256().toByteArray());
            finished = true;
            ack();
        }

        private void requireOpen(String what) throws TransferException {
            if (sink == null) {
                throw new TransferException(TransferException.Reason.PROTOCOL, what + " before open; the first upload message must be an open");
            }
        }

        private void ack() {
            byte[] sha = sink.finishedSha256();
            UploadAck.Builder b = UploadAck.newBuilder().setNextIndex(sink.nextIndex());
            if (sha != null) {
                b.setComplete(true).setSha256(ByteString.copyFrom(sha));
            }
            out.onNext(b.build());
        }

        @Override
        public void onError(Throwable t) {
            // the client went away (or cancelled): keep what was accepted for a resume
            release();
        }

        @Override
        public void onCompleted() {
            release();
            if (failed) {
                return;
            }
            if (finished || (sink != null && sink.finishedSha256() != null)) {
                out.onCompleted();
            } else {
                out.onError(new TransferException(TransferException.Reason.PROTOCOL, "upload of '" + object
                        + "' ended before its finish message; resume it to complete it").toStatus());
            }
        }

        synchronized void release() {
            if (sink != null) {
                closeQuietly(sink);
            }
        }
    }

    @Override
    public void uploadStatus(UploadStatusRequest request, StreamObserver<UploadStatusResponse> responseObserver) {
        try {
            TransferStore.UploadState s = store.status(request.getObject(), callerName());
            UploadStatusResponse.Builder b = UploadStatusResponse.newBuilder().setNextIndex(s.nextIndex());
            if (s.complete()) {
                b.setComplete(true).setSha256(ByteString.copyFrom(s.sha256()));
            }
            responseObserver.onNext(b.build());
            responseObserver.onCompleted();
        } catch (IOException | RuntimeException e) {
            responseObserver.onError(toStatus(e, "status of '" + request.getObject() + "'"));
        }
    }

    private String callerName() {
        String name = caller.get();
        if (name == null || name.isEmpty()) {
            throw Status.UNAUTHENTICATED.withDescription("no caller identity on this call; the server's interceptor must set one")
                    .asRuntimeException();
        }
        return name;
    }

    private static StatusRuntimeException toStatus(Exception e, String during) {
        if (e instanceof TransferException te) {
            return te.toStatus();
        }
        if (e instanceof StatusRuntimeException sre) {
            return sre;
        }
        LOG.log(Level.WARNING, "transfer failed while " + during, e);
        return new TransferException(TransferException.Reason.IO, "server failed while " + during + ": "
                + e.getClass().getSimpleName() + "; see the server log").toStatus();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing a transfer resource", e);
        }
    }
}
