package org.medveil.he.multiparty;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.medveil.he.RepeatedDecryptionException;
import org.medveil.he.UnverifiedAggregateException;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.KeyId;
import org.medveil.he.verify.AggregateVerifier;
import org.medveil.he.verify.Challenge;
import org.medveil.he.verify.ChallengeResponse;
import org.medveil.he.verify.DecryptionRequest;
import org.medveil.he.verify.VerifiedAggregate;

/**
 * How a key holder answers a coordinator it does not trust. Per chunk of a round:
 * {@link #challenge} (list checks and signatures, then random blocks to open); per round (or any
 * batch of its chunks): {@link #answer}, which verifies every chunk against its challenge,
 * reserves all of them in the ledger with one durable write, and only then computes the shares.
 *
 * <ul>
 * <li>Each (key, job, round, chunk) gets one challenge and at most one answer, whatever the
 *     ciphertext: "all sites" then "all but one", or c + Enc(0), are refused by the ledger.</li>
 * <li>If any chunk of a batch fails verification, every chunk of the batch is refused for good
 *     (durably): a coordinator cannot retry until a tampered block escapes the spot checks.</li>
 * <li>The contribution count in the aggregate's header is ignored; the signed list decides.</li>
 * </ul>
 *
 * Use it with a verified-only ledger ({@link FileDecryptionLedger} by default), so that the
 * holder's unverified {@link KeyShareHolder#decryptionShare} path refuses everything. Methods are
 * synchronized (the holder owns a PRNG).
 *
 * @param <S> the share type ({@link DecryptionShare} for N-of-N)
 */
public final class VerifiedDecryption<S> {

    private record Pending(Challenge challenge) {
    }

    private final Function<Ciphertext, S> shareOf;
    private final AggregateVerifier verifier;
    private final DecryptionLedger ledger;
    private final KeyId keyId;
    private final Map<LedgerEntry.Chunk, Pending> pending = new HashMap<>();

    /** For an N-of-N key holder. */
    public static VerifiedDecryption<DecryptionShare> of(KeyShareHolder holder, AggregateVerifier verifier) {
        return new VerifiedDecryption<>(holder.keyId(), holder.ledger(), verifier, holder::decryptionShare);
    }

    /**
     * For any share type (e.g. threshold shares).
     *
     * @param ledger  the ledger {@code shareOf} records into: each share consumes the reservation
     *                made here, and a verified-only ledger refuses whatever was not reserved
     * @param shareOf computes the share of a verified aggregate (its header count is the signed count)
     */
    public VerifiedDecryption(KeyId keyId, DecryptionLedger ledger, AggregateVerifier verifier,
                              Function<Ciphertext, S> shareOf) {
        if (!keyId.equals(verifier.keyId())) {
            throw new IllegalArgumentException("the verifier checks key " + verifier.keyId() + " but the holder serves key "
                    + keyId);
        }
        this.shareOf = shareOf;
        this.verifier = verifier;
        this.ledger = ledger;
        this.keyId = keyId;
    }

    /**
     * Checks the request's signed list and returns the blocks the coordinator must open. Asking
     * again for the same request returns the same challenge; asking with another aggregate or list
     * for a chunk whose challenge is outstanding, or for a decided chunk, is refused.
     */
    public synchronized Challenge challenge(DecryptionRequest request) {
        LedgerEntry.Chunk chunk = chunkOf(request);
        if (ledger.isDecided(chunk)) {
            throw new RepeatedDecryptionException(chunk + " was already answered or refused; a key holder answers each"
                    + " chunk of a round once, whatever the ciphertext — start a new round");
        }
        Pending p = pending.get(chunk);
        if (p == null) {
            Challenge fresh;
            try {
                fresh = verifier.challenge(request);
            } catch (UnverifiedAggregateException e) {
                if (e.reason() == UnverifiedAggregateException.Reason.SKETCH_MISMATCH) {
                    ledger.refuseForever(List.of(chunk)); // evidence of tampering: no second try
                }
                throw e;
            }
            pending.put(chunk, new Pending(fresh));
            return fresh;
        }
        if (!MessageDigest.isEqual(AggregateVerifier.requestDigest(request), p.challenge().requestDigest())) {
            throw new RepeatedDecryptionException(chunk + " has an outstanding challenge for another aggregate or list;"
                    + " answer that challenge — the holder does not re-draw positions for a changed request");
        }
        return p.challenge();
    }

    /**
     * Verifies every request against its challenge and response (same order), reserves all
     * chunks with one durable ledger write, then returns one share per request.
     */
    public synchronized List<S> answer(List<DecryptionRequest> requests, List<ChallengeResponse> responses) {
        if (requests.size() != responses.size() || requests.isEmpty()) {
            throw new IllegalArgumentException("need one response per request, got " + requests.size() + " requests and "
                    + responses.size() + " responses");
        }
        List<LedgerEntry.Chunk> chunks = new ArrayList<>();
        Set<LedgerEntry.Chunk> distinct = new HashSet<>();
        for (DecryptionRequest r : requests) {
            LedgerEntry.Chunk c = chunkOf(r);
            if (!distinct.add(c)) {
                throw new RepeatedDecryptionException(c + " appears twice in one batch; answer each chunk once");
            }
            chunks.add(c);
        }
        List<VerifiedAggregate> verified = new ArrayList<>();
        try {
            for (int i = 0; i < requests.size(); i++) {
                LedgerEntry.Chunk c = chunks.get(i);
                if (ledger.isDecided(c)) {
                    throw new RepeatedDecryptionException(c + " was already answered or refused; a key holder answers"
                            + " each chunk of a round once, whatever the ciphertext — start a new round");
                }
                Pending p = pending.get(c);
                if (p == null) {
                    throw new UnverifiedAggregateException(UnverifiedAggregateException.Reason.MALFORMED_RESPONSE, null,
                            -1, "no challenge was issued for " + c + "; ask for a challenge first");
                }
                verified.add(verifier.verify(requests.get(i), p.challenge(), responses.get(i)));
            }
        } catch (UnverifiedAggregateException e) {
            // positions are now known to the coordinator: never answer these chunks
            List<LedgerEntry.Chunk> open = new ArrayList<>();
            for (LedgerEntry.Chunk c : chunks) {
                if (pending.remove(c) != null) {
                    open.add(c);
                }
            }
            ledger.refuseForever(open);
            throw e;
        }
        List<LedgerEntry> entries = new ArrayList<>();
        for (VerifiedAggregate v : verified) {
            entries.add(new LedgerEntry(chunkOf(v), v.aggregate().shareRequestDigest()));
        }
        ledger.reserve(entries); // one durable write for the batch, before any share exists
        chunks.forEach(pending::remove);
        List<S> shares = new ArrayList<>(verified.size());
        for (VerifiedAggregate v : verified) {
            shares.add(shareOf.apply(v.aggregate()));
        }
        return shares;
    }

    private LedgerEntry.Chunk chunkOf(DecryptionRequest r) {
        return new LedgerEntry.Chunk(keyId, r.jobId(), r.round(), r.chunk());
    }

    private LedgerEntry.Chunk chunkOf(VerifiedAggregate v) {
        return new LedgerEntry.Chunk(keyId, v.jobId(), v.round(), v.chunk());
    }
}
