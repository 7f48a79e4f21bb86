package org.medveil.he.multiparty;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.medveil.he.RepeatedDecryptionException;
import org.medveil.he.UnverifiedAggregateException;

/** The rules every ledger shares; the file ledger adds persistence through {@link Sink}. */
final class LedgerBook {

    /** Persists lines durably (one flush per call) before the book changes. */
    interface Sink {
        void append(List<String> lines);
    }

    private final Set<String> answered = new HashSet<>();
    private final Set<LedgerEntry.Chunk> decided = new HashSet<>();
    private final Set<String> reservedUnconsumed = new HashSet<>();
    private final boolean verifiedOnly;
    private final String name;
    private final Sink sink;

    LedgerBook(boolean verifiedOnly, String name, Sink sink) {
        this.verifiedOnly = verifiedOnly;
        this.name = name;
        this.sink = sink;
    }

    boolean verifiedOnly() {
        return verifiedOnly;
    }

    /** Loading: an entry already on disk. */
    void load(LedgerEntry e) {
        decided.add(e.chunk());
        if (e.requestDigest() != null) {
            answered.add(e.requestDigest());
        }
    }

    /** Loading: a legacy line (bare digest). */
    void loadDigest(String digest) {
        answered.add(digest);
    }

    synchronized void recordOrRefuse(String digest) {
        if (reservedUnconsumed.remove(digest)) {
            return; // durable since reserve()
        }
        if (answered.contains(digest)) {
            throw new RepeatedDecryptionException("a decryption share for ciphertext " + digest + " was already given"
                    + name + "; a key holder answers each ciphertext once — request a fresh aggregate");
        }
        if (verifiedOnly) {
            throw new UnverifiedAggregateException(UnverifiedAggregateException.Reason.NOT_VERIFIED, null, -1,
                    "ciphertext " + digest + " was not verified and reserved" + name + "; this holder answers only"
                            + " aggregates checked by VerifiedDecryption");
        }
        sink.append(List.of(digest));
        answered.add(digest);
    }

    synchronized boolean contains(String digest) {
        return answered.contains(digest);
    }

    synchronized boolean isDecided(LedgerEntry.Chunk chunk) {
        return decided.contains(chunk);
    }

    synchronized void reserve(List<LedgerEntry> entries) {
        Set<LedgerEntry.Chunk> chunks = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (LedgerEntry e : entries) {
            if (e.requestDigest() == null) {
                throw new IllegalArgumentException("a reservation needs the ciphertext digest of " + e.chunk());
            }
            if (decided.contains(e.chunk()) || !chunks.add(e.chunk())) {
                throw new RepeatedDecryptionException(e.chunk() + " was already answered or refused" + name
                        + "; a key holder answers each chunk of a round once, whatever the ciphertext — start a new round");
            }
            if (answered.contains(e.requestDigest()) || !digests.add(e.requestDigest())) {
                throw new RepeatedDecryptionException("a decryption share for ciphertext " + e.requestDigest()
                        + " (" + e.chunk() + ") was already given" + name + "; request a fresh aggregate");
            }
        }
        List<String> lines = new ArrayList<>(entries.size());
        for (LedgerEntry e : entries) {
            lines.add(e.line());
        }
        sink.append(lines);
        for (LedgerEntry e : entries) {
            decided.add(e.chunk());
            answered.add(e.requestDigest());
            reservedUnconsumed.add(e.requestDigest());
        }
    }

    synchronized void refuseForever(List<LedgerEntry.Chunk> chunks) {
        List<LedgerEntry.Chunk> fresh = new ArrayList<>();
        for (LedgerEntry.Chunk c : chunks) {
            if (!decided.contains(c) && !fresh.contains(c)) {
                fresh.add(c);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>();
        for (LedgerEntry.Chunk c : fresh) {
            lines.add(new LedgerEntry(c, null).line());
        }
        sink.append(lines);
        decided.addAll(fresh);
    }
}
