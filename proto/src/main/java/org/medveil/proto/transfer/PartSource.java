package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;

import java.io.Closeable;
import java.io.IOException;

/**
 * A complete object to be read part by part, from any index. {@link TransferService} asks for
 * one part at a time, only when the receiver can take it, so an implementation should read the
 * part when asked rather than hold the object in memory.
 */
public interface PartSource extends Closeable {
    /** How many parts the object has. */
    long partCount();

    /** Part {@code index} (0-based); at most the store's part size. */
    ByteString part(long index) throws IOException;

    /** SHA-256 of the whole object. */
    byte[] sha256();

    @Override
    default void close() throws IOException {
    }
}
