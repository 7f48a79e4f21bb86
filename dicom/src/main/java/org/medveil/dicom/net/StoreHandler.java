package org.medveil.dicom.net;

/**
 * Receives each stored object. The SCP answers success only after {@link #store} returns, so the
 * handler must have made the object durable (written and synced) by then; throwing makes the SCP
 * answer a failure status, and the sender keeps its copy.
 */
@FunctionalInterface
public interface StoreHandler {
    void store(ReceivedObject object) throws Exception;
}
