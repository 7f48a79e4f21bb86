package org.medveil.he.multiparty;

import java.util.List;

/**
 * A ledger that lives as long as the holder object (tests, benchmarks, single-process demos).
 * Permissive by default: it also answers requests that were not verified, keyed on their c1
 * digest only; {@link #verifiedOnly()} gives one that answers only reserved requests.
 */
public final class InMemoryDecryptionLedger implements DecryptionLedger {

    private final LedgerBook book;

    public InMemoryDecryptionLedger() {
        this(false);
    }

    private InMemoryDecryptionLedger(boolean verifiedOnly) {
        this.book = new LedgerBook(verifiedOnly, "", lines -> { });
    }

    /** A ledger that refuses any request not reserved through {@link VerifiedDecryption}. */
    public static InMemoryDecryptionLedger verifiedOnlyLedger() {
        return new InMemoryDecryptionLedger(true);
    }

    @Override
    public void recordOrRefuse(String requestDigest) {
        book.recordOrRefuse(requestDigest);
    }

    @Override
    public boolean contains(String requestDigest) {
        return book.contains(requestDigest);
    }

    @Override
    public void reserve(List<LedgerEntry> entries) {
        book.reserve(entries);
    }

    @Override
    public void refuseForever(List<LedgerEntry.Chunk> chunks) {
        book.refuseForever(chunks);
    }

    @Override
    public boolean isDecided(LedgerEntry.Chunk chunk) {
        return book.isDecided(chunk);
    }

    @Override
    public boolean verifiedOnly() {
        return book.verifiedOnly();
    }
}
