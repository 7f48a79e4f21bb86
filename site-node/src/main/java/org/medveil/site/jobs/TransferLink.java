package org.medveil.site.jobs;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.medveil.proto.transfer.PartConsumer;
import org.medveil.proto.transfer.PartProducer;
import org.medveil.proto.transfer.TransferClient;
import org.medveil.proto.transfer.TransferException;
import org.medveil.site.federation.Transfers;

/**
 * A site's bulk objects at the coordinator through the Transfer service: uploads resume at the
 * first unacknowledged part after a dropped connection; downloads are checked against the
 * object's SHA-256.
 */
final class TransferLink implements Transfers {

    /** Parts up to 8 MiB: a model part is 2^20 float32 values. */
    static final int MAX_PART_BYTES = 8 << 20;

    private final TransferClient client;

    TransferLink(Channel channel) {
        this.client = new TransferClient(channel, TransferClient.Options.defaults().withMaxPartBytes(MAX_PART_BYTES));
    }

    @Override
    public void put(String name, Iterable<byte[]> parts) {
        // The producer must give the same bytes for an index again after a reconnect: keep them.
        List<byte[]> all = new ArrayList<>();
        parts.forEach(all::add);
        try {
            client.upload(name, new PartProducer() {
                @Override
                public long partCount() {
                    return all.size();
                }

                @Override
                public ByteString part(long index) {
                    return ByteString.copyFrom(all.get((int) index));
                }
            });
        } catch (TransferException e) {
            throw new IllegalStateException("cannot upload " + name + " to the coordinator: " + e.getMessage(), e);
        }
    }

    @Override
    public Iterator<byte[]> get(String name) {
        List<byte[]> parts = new ArrayList<>();
        try {
            client.download(name, 0, new PartConsumer() {
                @Override
                public void accept(long index, ByteString data) {
                    parts.add(data.toByteArray());
                }
            });
        } catch (TransferException e) {
            throw new IllegalStateException("cannot download " + name + " from the coordinator: " + e.getMessage(), e);
        }
        return parts.iterator();
    }
}
