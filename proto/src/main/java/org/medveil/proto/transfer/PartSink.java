package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where an uploaded object goes, part by part in index order. {@link TransferService}
 * acknowledges a part to the uploader only after {@link #accept} returns, so {@code accept}
 * returns only once the part is durable (or consumed) – that is what makes resuming safe.
 */
public interface PartSink extends Closeable {
    /** The index the sink expects next; every part below it is durable. */
    long nextIndex();

    /** The SHA-256 of the object if it is complete and verified, else null. */
    byte[] finishedSha256();

    /**
     * Takes part {@code index}, which must equal {@link #nextIndex()}.
     *
     * @throws TransferException PROTOCOL for an index out of order, SUPERSEDED if another upload
     *     of the object took over
     */
    void accept(long index, ByteString data) throws IOException;

    /**
     * Ends the object: checks that the SHA-256 of all parts equals {@code sha256}. On a mismatch
     * the parts are discarded (the next upload starts at 0) and DIGEST_MISMATCH is thrown.
     */
    void finish(byte[] sha256) throws IOException;

    /** Lets go of the sink without finishing; accepted parts stay for a later resume. */
    @Override
    void close() throws IOException;
}
