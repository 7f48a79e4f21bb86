package org.medveil.he.multiparty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medveil.he.rlwe.KeyId;

/**
 * Run in a child JVM by {@link DecryptionLedgerTest}: opens the ledger given as argument,
 * reserves chunks 0..2 of round 1 of job "job-x", prints RESERVED and waits to be killed —
 * a key holder that crashes after its round reservation and before any share leaves.
 */
public final class LedgerHolderProcess {

    static final KeyId KEY = new KeyId("00112233445566778899aabbccddeeff");

    static List<LedgerEntry> entries() {
        List<LedgerEntry> out = new ArrayList<>();
        for (int chunk = 0; chunk < 3; chunk++) {
            out.add(new LedgerEntry(new LedgerEntry.Chunk(KEY, "job-x", 1, chunk), String.format("%064x", chunk + 1)));
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        FileDecryptionLedger ledger = new FileDecryptionLedger(Path.of(args[0]));
        ledger.reserve(entries());
        System.out.println("RESERVED");
        System.out.flush();
        Thread.sleep(120_000); // killed by the test long before
    }
}
