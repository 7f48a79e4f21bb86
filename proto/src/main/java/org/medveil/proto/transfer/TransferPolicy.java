package org.medveil.proto.transfer;

/**
 * Who may read and write which object, for the stores in this package. Object names carry no
 * PHI, so refusals may name them.
 */
public interface TransferPolicy {
    /** Everyone may read and write everything; for tests and single-user tools only. */
    TransferPolicy ALLOW_ALL = new TransferPolicy() {
        @Override
        public boolean mayRead(String caller, String object) {
            return true;
        }

        @Override
        public boolean mayWrite(String caller, String object) {
            return true;
        }
    };

    boolean mayRead(String caller, String object);

    boolean mayWrite(String caller, String object);

    /** Throws PERMISSION_DENIED unless {@code caller} may read {@code object}. */
    default void checkRead(String caller, String object) throws TransferException {
        if (!mayRead(caller, object)) {
            throw new TransferException(TransferException.Reason.PERMISSION_DENIED,
                    "'" + caller + "' may not read '" + object + "'; ask the coordinator operator if it should");
        }
    }

    /** Throws PERMISSION_DENIED unless {@code caller} may write {@code object}. */
    default void checkWrite(String caller, String object) throws TransferException {
        if (!mayWrite(caller, object)) {
            throw new TransferException(TransferException.Reason.PERMISSION_DENIED,
                    "'" + caller + "' may not write '" + object + "'; ask the coordinator operator if it should");
        }
    }
}
