package org.medveil.proto.transfer;

import java.io.IOException;

/**
 * What {@link TransferService} reads objects from and writes them to. The store decides what
 * each caller may do: it throws {@link TransferException} with PERMISSION_DENIED or NOT_FOUND
 * and a message saying which caller was refused what.
 */
public interface TransferStore {
    /** Opens a complete object for reading. */
    PartSource openRead(String object, String caller) throws IOException;

    /**
     * Opens an object for writing, continuing a partial upload if there is one. Opening takes
     * the object over from any earlier writer still open (whose next accept fails SUPERSEDED).
     */
    PartSink openWrite(String object, String caller) throws IOException;

    /** Where an upload stands, without taking it over. */
    UploadState status(String object, String caller) throws IOException;

    /** How far an upload got: the next index expected, and the digest once it is complete. */
    record UploadState(long nextIndex, byte[] sha256) {
        public boolean complete() {
            return sha256 != null;
        }
    }
}
