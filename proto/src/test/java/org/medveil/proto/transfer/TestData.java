package org.medveil.proto.transfer;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/** Deterministic test objects generated part by part, never held whole. */
final class TestData {
    private static final Map<Integer, byte[]> BASE = new ConcurrentHashMap<>();

    private TestData() {
    }

    /** Part {@code i} of {@code size} bytes: a seeded random block with the index written into it. */
    static ByteString part(long i, int size) {
        byte[] base = BASE.computeIfAbsent(size, s -> {
            byte[] b = new byte[s];
            new Random(s).nextBytes(b);
            return b;
        });
        byte[] b = base.clone();
        ByteBuffer w = ByteBuffer.wrap(b);
        if (size >= 8) {
            w.putLong(0, i);
            w.putLong(size - 8, ~i);
        }
        return UnsafeByteOperations.unsafeWrap(b);
    }

    /** A producer of {@code n} parts; the last one is {@code lastSize} bytes. */
    static PartProducer producer(long n, int size, int lastSize) {
        return new PartProducer() {
            @Override
            public long partCount() {
                return n;
            }

            @Override
            public ByteString part(long index) {
                return TestData.part(index, index == n - 1 ? lastSize : size);
            }
        };
    }

    /** SHA-256 computed directly from the generator, without any transfer. */
    static byte[] sha256(long n, int size, int lastSize) {
        MessageDigest md = Digests.sha256();
        for (long i = 0; i < n; i++) {
            md.update(part(i, i == n - 1 ? lastSize : size).asReadOnlyByteBuffer());
        }
        return md.digest();
    }
}
