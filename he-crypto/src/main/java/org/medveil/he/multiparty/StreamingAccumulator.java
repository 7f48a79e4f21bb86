package org.medveil.he.multiparty;

import java.util.ArrayList;
import java.util.List;
import org.medveil.he.HeException;
import org.medveil.he.ParameterMismatchException;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Evaluator;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.KeyId;

/**
 * Adds encrypted vectors chunk by chunk as they stream in, keeping one ciphertext per chunk
 * position: memory is independent of the number of contributors. Chunks of different positions
 * may be added from different threads.
 */
public final class StreamingAccumulator {

    private final HeContext context;
    private final KeyId keyId;
    private final Evaluator evaluator;
    private final Ciphertext[] slots;
    private final Object[] locks; // one per position: different chunks add concurrently

    public StreamingAccumulator(HeContext context, KeyId keyId, int chunks) {
        if (chunks < 1) {
            throw new IllegalArgumentException("an accumulator needs at least one chunk, got " + chunks);
        }
        this.context = context;
        this.keyId = keyId;
        this.evaluator = new Evaluator(context);
        this.slots = new Ciphertext[chunks];
        this.locks = new Object[chunks];
        for (int i = 0; i < chunks; i++) {
            locks[i] = new Object();
        }
    }

    public int chunks() {
        return slots.length;
    }

    /** Adds one chunk; the first ciphertext at a position is copied, later ones added in place. */
    public void add(Ciphertext ct) {
        context.requireSameParams(ct.paramsFingerprint(), "ciphertext chunk " + ct.chunk());
        if (!ct.keyId().equals(keyId)) {
            throw new ParameterMismatchException("ciphertext chunk " + ct.chunk() + " is under key " + ct.keyId()
                    + ", the accumulator under " + keyId);
        }
        int i = ct.chunk();
        if (i >= slots.length) {
            throw new ParameterMismatchException("chunk index " + i + " is beyond the " + slots.length
                    + " chunks of this update; the sender used another vector length");
        }
        synchronized (locks[i]) {
            if (slots[i] == null) {
                slots[i] = ct.copy();
            } else {
                evaluator.addInPlace(slots[i], ct);
            }
        }
    }

    /**
     * Takes back a chunk that was {@link #add}ed: the position holds exactly the residues it held
     * before (empty again if this was its only contribution). For a contribution refused after some
     * of its chunks were added; the caller must pass the same ciphertexts it added.
     */
    public void subtract(Ciphertext ct) {
        context.requireSameParams(ct.paramsFingerprint(), "ciphertext chunk " + ct.chunk());
        int i = ct.chunk();
        if (!ct.keyId().equals(keyId) || i >= slots.length) {
            throw new ParameterMismatchException("ciphertext chunk " + i + " under key " + ct.keyId()
                    + " was never added to this accumulator");
        }
        synchronized (locks[i]) {
            if (slots[i] == null || slots[i].contributions() < ct.contributions()) {
                throw new HeException("aggregate chunk " + i + " holds fewer contributions than are taken back");
            }
            if (slots[i].contributions() == ct.contributions()) {
                slots[i] = null; // it was the first ciphertext here: empty again
            } else {
                evaluator.subtractInPlace(slots[i], ct);
            }
        }
    }

    /** The aggregate; every position must have received the same number of contributions. */
    public List<Ciphertext> result() {
        List<Ciphertext> out = new ArrayList<>(slots.length);
        int expected = -1;
        for (int i = 0; i < slots.length; i++) {
            synchronized (locks[i]) {
                if (slots[i] == null) {
                    throw new HeException("aggregate chunk " + i + " received no contribution; wait for all chunks");
                }
                if (expected < 0) {
                    expected = slots[i].contributions();
                } else if (slots[i].contributions() != expected) {
                    throw new HeException("aggregate chunk " + i + " has " + slots[i].contributions()
                            + " contributions but chunk 0 has " + expected + "; a contributor's stream is incomplete");
                }
                out.add(slots[i]);
            }
        }
        return out;
    }
}
