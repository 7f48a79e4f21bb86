package org.medveil.he.rlwe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.medveil.he.HeException;
import org.medveil.he.ring.SecretRandom;

/**
 * Encrypts a long vector (a model update) as ⌈len/N⌉ ciphertexts, chunk i holding values
 * [i·N, (i+1)·N). Work is split into one contiguous range per worker, each with its own
 * {@link Encryptor} and PRNG; the executor is the caller's (no hidden thread pools).
 */
public final class VectorEncryptor {

    private final HeContext context;
    private final PublicKey key;
    private final Supplier<SecretRandom> prngs;

    /** @param prngs source of one independent secret stream per worker (normally {@code SecretRandom::create}) */
    public VectorEncryptor(HeContext context, PublicKey key, Supplier<SecretRandom> prngs) {
        this.context = context;
        this.key = key;
        this.prngs = prngs;
    }

    public int chunksFor(int length) {
        return (length + context.n() - 1) / context.n();
    }

    /** Single-threaded encryption; every |value| must be ≤ bound. */
    public List<Ciphertext> encrypt(double[] values, double bound) {
        return encryptRange(values, bound, 0, chunksFor(values.length));
    }

    /** Parallel encryption over {@code workers} tasks on the caller's executor. */
    public List<Ciphertext> encrypt(double[] values, double bound, ExecutorService executor, int workers) {
        int chunks = chunksFor(values.length);
        int tasks = Math.max(1, Math.min(workers, chunks));
        List<Future<List<Ciphertext>>> futures = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            int from = (int) ((long) chunks * t / tasks);
            int to = (int) ((long) chunks * (t + 1) / tasks);
            futures.add(executor.submit(() -> encryptRange(values, bound, from, to)));
        }
        List<Ciphertext> out = new ArrayList<>(chunks);
        for (Future<List<Ciphertext>> f : futures) {
            out.addAll(join(f));
        }
        return out;
    }

    private List<Ciphertext> encryptRange(double[] values, double bound, int fromChunk, int toChunk) {
        Encoder encoder = new Encoder(context);
        Encryptor encryptor = new Encryptor(context, key, prngs.get());
        int n = context.n();
        List<Ciphertext> out = new ArrayList<>(toChunk - fromChunk);
        for (int c = fromChunk; c < toChunk; c++) {
            int from = c * n;
            int count = Math.min(n, values.length - from);
            out.add(encryptor.encrypt(encoder.encode(values, from, count, bound), c));
        }
        return out;
    }

    /** Waits for a task and rethrows its HeException unchanged, so callers see the typed error. */
    public static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeException("interrupted while waiting for an HE task", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new HeException("HE task failed: " + cause, cause);
        }
    }
}
