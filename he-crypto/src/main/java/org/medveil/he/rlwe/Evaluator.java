package org.medveil.he.rlwe;

import org.medveil.he.ParameterMismatchException;
import org.medveil.he.ValueOutOfRangeException;

/** Homomorphic addition, with the range and compatibility checks that keep sums exact. */
public final class Evaluator {

    private final HeContext context;

    public Evaluator(HeContext context) {
        this.context = context;
    }

    /**
     * acc += other, in place. Refuses (before touching acc) ciphertexts from other parameters,
     * keys or chunk positions, and sums whose declared bound would exceed what the parameter
     * set decrypts exactly — a wrap modulo Q would otherwise go unnoticed.
     */
    public void addInPlace(Ciphertext acc, Ciphertext other) {
        context.requireSameParams(acc.paramsFingerprint(), "accumulator ciphertext");
        context.requireSameParams(other.paramsFingerprint(), "added ciphertext");
        if (!acc.keyId().equals(other.keyId())) {
            throw new ParameterMismatchException("cannot add a ciphertext under key " + other.keyId()
                    + " to one under key " + acc.keyId() + "; all sites must encrypt under the job's collective key");
        }
        if (acc.chunk() != other.chunk()) {
            throw new ParameterMismatchException("cannot add chunk " + other.chunk() + " to chunk " + acc.chunk()
                    + "; add ciphertexts position by position");
        }
        double sumBound = acc.bound() + other.bound();
        if (sumBound > context.params().maxSum()) {
            throw new ValueOutOfRangeException("adding would allow sums up to ±" + sumBound + " in chunk "
                    + acc.chunk() + ", beyond ±" + context.params().maxSum() + " that parameter set "
                    + context.params().name() + " decrypts exactly; lower the clipping bound"
                    + (Params.DEFAULT_NAME.equals(context.params().name()) ? "" : " or use set " + Params.DEFAULT_NAME));
        }
        context.ring().addInPlace(acc.c0(), other.c0());
        context.ring().addInPlace(acc.c1(), other.c1());
        acc.absorbMetadata(other.valueCount(), other.bound(), other.contributions());
    }

    /**
     * acc −= other, in place: takes back a ciphertext that was added to {@code acc} (e.g. the first
     * chunks of a contribution refused at a later chunk). The residues return exactly to what they
     * were; the declared bound and contribution count go down by the other's; the value count, a
     * maximum, stays. Refuses other parameters, keys or positions, and taking more contributions
     * than {@code acc} holds.
     */
    public void subtractInPlace(Ciphertext acc, Ciphertext other) {
        context.requireSameParams(acc.paramsFingerprint(), "accumulator ciphertext");
        context.requireSameParams(other.paramsFingerprint(), "subtracted ciphertext");
        if (!acc.keyId().equals(other.keyId()) || acc.chunk() != other.chunk()) {
            throw new ParameterMismatchException("cannot take chunk " + other.chunk() + " under key " + other.keyId()
                    + " out of chunk " + acc.chunk() + " under key " + acc.keyId());
        }
        if (other.contributions() >= acc.contributions()) {
            throw new ParameterMismatchException("cannot take " + other.contributions() + " contribution(s) out of a"
                    + " ciphertext of " + acc.contributions() + "; nothing would remain");
        }
        context.ring().subInPlace(acc.c0(), other.c0());
        context.ring().subInPlace(acc.c1(), other.c1());
        acc.releaseMetadata(other.bound(), other.contributions());
    }
}
