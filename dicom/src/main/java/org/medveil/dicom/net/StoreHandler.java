package org.medveil.dicom.net;

/**
 * Receives each stored object. The SCP answers success only after {@link #store} returns, so the
 * handler must have made the object durable (written and synced) by then; throwing makes the SCP
 * answer a failure status, and the sender keeps its copy.
 */
@FunctionalInterface
public interface StoreHandler {
    void store(ReceivedObject object) throws Exception;

    /**
     * The handler refuses the object for a reason the sender should see: the SCP answers
     * {@code status} with the message as Error Comment (0000,0902, at most 64 characters) and logs
     * it, so the message must hold no PHI (no names, IDs, UIDs or other values of the object).
     */
    final class Refused extends Exception {
        private final int status;

        public Refused(int status, String message) {
            super(message);
            if (status < 0xA000 || status > 0xCFFF) {
                throw new IllegalArgumentException("a refusal is a failure status (Axxx or Cxxx), got 0x"
                        + Integer.toHexString(status));
            }
            this.status = status;
        }

        public int status() { return status; }
    }
}
