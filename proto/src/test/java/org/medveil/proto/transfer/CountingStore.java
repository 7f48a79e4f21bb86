package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/** Wraps a store to record what its sinks accept and sources read, with an optional hook per accepted part. */
final class CountingStore implements TransferStore {
    final TransferStore inner;
    final List<Long> accepted = new CopyOnWriteArrayList<>();
    final List<Long> read = new CopyOnWriteArrayList<>();
    /** The parts each opened source was asked for, one list per download attempt. */
    final List<List<Long>> readPerSource = new CopyOnWriteArrayList<>();
    /** The sink's next index at each openWrite: where each upload attempt resumed. */
    final List<Long> openedAt = new CopyOnWriteArrayList<>();
    volatile LongConsumer afterAccept = i -> { };
    volatile LongConsumer beforeRead = i -> { };

    CountingStore(TransferStore inner) {
        this.inner = inner;
    }

    @Override
    public PartSource openRead(String object, String caller) throws IOException {
        PartSource s = inner.openRead(object, caller);
        List<Long> mine = new CopyOnWriteArrayList<>();
        readPerSource.add(mine);
        return new PartSource() {
            @Override
            public long partCount() {
                return s.partCount();
            }

            @Override
            public ByteString part(long index) throws IOException {
                beforeRead.accept(index);
                read.add(index);
                mine.add(index);
                return s.part(index);
            }

            @Override
            public byte[] sha256() {
                return s.sha256();
            }

            @Override
            public void close() throws IOException {
                s.close();
            }
        };
    }

    @Override
    public PartSink openWrite(String object, String caller) throws IOException {
        PartSink s = inner.openWrite(object, caller);
        openedAt.add(s.nextIndex());
        return new PartSink() {
            @Override
            public long nextIndex() {
                return s.nextIndex();
            }

            @Override
            public byte[] finishedSha256() {
                return s.finishedSha256();
            }

            @Override
            public void accept(long index, ByteString data) throws IOException {
                s.accept(index, data);
                accepted.add(index);
                afterAccept.accept(index);
            }

            @Override
            public void finish(byte[] sha256) throws IOException {
                s.finish(sha256);
            }

            @Override
            public void close() throws IOException {
                s.close();
            }
        };
    }

    @Override
    public UploadState status(String object, String caller) throws IOException {
        return inner.status(object, caller);
    }
}
