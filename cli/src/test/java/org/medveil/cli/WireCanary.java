package org.medveil.cli;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the plaintext of every message the coordinator receives and sends (TLS hides it on the
 * wire): each message is serialized as it travels ({@code toByteArray()}) and searched for PHI
 * markers, as UTF-8, ISO-8859-1 and GB18030 (the character sets of the synthetic headers). It keeps only counts and
 * the names of the calls where a marker showed up, never the messages.
 */
final class WireCanary implements ServerInterceptor {

    private final List<byte[]> needles = new ArrayList<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final Set<String> methods = ConcurrentHashMap.newKeySet();
    private final Set<String> hits = ConcurrentHashMap.newKeySet();

    WireCanary(Collection<String> markers) {
        Set<String> forms = new LinkedHashSet<>();
        // UTF-8, and the character sets the synthetic headers declare: ISO_IR 100 (Latin-1) and GB18030
        for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1, Charset.forName("GB18030"))) {
            for (String m : markers) {
                byte[] b = m.getBytes(cs);
                if (cs.newEncoder().canEncode(m) && b.length >= 6) { // shorter needles would match random ciphertext
                    forms.add(new String(b, StandardCharsets.ISO_8859_1));
                }
            }
        }
        forms.forEach(f -> needles.add(f.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        methods.add(method);
        ServerCall<Q, R> watched = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
                scan(method + " (to the client)", message);
                super.sendMessage(message);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(watched, headers)) {
            @Override
            public void onMessage(Q message) {
                scan(method + " (from the client)", message);
                super.onMessage(message);
            }
        };
    }

    private void scan(String where, Object message) {
        if (!(message instanceof MessageLite m)) {
            return;
        }
        byte[] b = m.toByteArray();
        bytes.addAndGet(b.length);
        messages.incrementAndGet();
        for (byte[] n : needles) {
            if (indexOf(b, n) >= 0) {
                hits.add(where); // the call, not the marker: the report itself must carry no PHI
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    long bytes() {
        return bytes.get();
    }

    long messages() {
        return messages.get();
    }

    Set<String> methods() {
        return Set.copyOf(methods);
    }

    /** Calls in which a marker travelled; empty when none did. */
    Set<String> hits() {
        return Set.copyOf(hits);
    }
}
