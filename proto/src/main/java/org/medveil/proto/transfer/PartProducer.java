package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;

import java.io.IOException;

/**
 * The object an upload sends, by part. {@link TransferClient} asks for a part only when it can
 * send it, and may ask again for a part after a reconnect (it was sent but not acknowledged),
 * or for acknowledged parts once to compute the SHA-256 when resuming in a new process; so the
 * same index must give the same bytes.
 */
public interface PartProducer {
    /** How many parts the object has. */
    long partCount();

    /** Part {@code index}, at most the client's part size. */
    ByteString part(long index) throws IOException;
}
