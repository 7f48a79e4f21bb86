package org.medveil.he;

/**
 * A decryption ledger file is already open in another process or another ledger instance of this
 * one. Two holders answering from one ledger could each give a share for the same request.
 */
public class LedgerInUseException extends HeException {
    private static final long serialVersionUID = 1L;

    public LedgerInUseException(String message) {
        super(message);
    }
}
