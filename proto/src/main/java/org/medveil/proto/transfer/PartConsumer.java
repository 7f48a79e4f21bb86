package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;

import java.io.IOException;

/**
 * Where a download goes, part by part in index order, on the thread that called
 * {@link TransferClient#download}. The next part is requested from the server only after
 * {@link #accept} returns, so a slow consumer slows the sender instead of filling memory.
 */
public interface PartConsumer {
    /** Called once before the first part: the object's part count and SHA-256. */
    default void begin(long partCount, byte[] sha256) throws IOException {
    }

    /** Takes part {@code index}; parts come in order, each exactly once per download call. */
    void accept(long index, ByteString data) throws IOException;
}
