package org.medveil.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import org.medveil.proto.federation.CoordinatorMessage;
import org.medveil.proto.federation.FederationGrpc;
import org.medveil.proto.federation.Hello;
import org.medveil.proto.federation.SiteMessage;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC client built straight from PEM files, bypassing kit checks, so tests can present
 * certificates a real kit would refuse to load (foreign CA, expired, mixed up).
 */
final class RawClient {
    private RawClient() {
    }

    static ManagedChannel channel(Path cert, Path key, Path trustedCa, int port) throws Exception {
        return NettyChannelBuilder.forAddress("localhost", port)
                .sslContext(GrpcSslContexts.forClient().keyManager(cert.toFile(), key.toFile())
                        .trustManager(trustedCa.toFile()).protocols("TLSv1.3").build())
                .build();
    }

    static ManagedChannel channel(Path kit, Path trustedCa, int port) throws Exception {
        return channel(kit.resolve("cert.pem"), kit.resolve("key.pem"), trustedCa, port);
    }

    /** Opens a Session, says hello, and returns how it failed (a StatusRuntimeException with its cause), or null. */
    static Throwable failure(ManagedChannel ch, String siteName) throws Exception {
        Object r = hello(ch, siteName);
        return r instanceof Status s && !s.isOk() ? s.asRuntimeException() : null;
    }

    /** Opens a Session, says hello as {@code siteName}, and returns the first reply or the status it ended with. */
    static Object hello(ManagedChannel ch, String siteName) throws Exception {
        CompletableFuture<Object> first = new CompletableFuture<>();
        StreamObserver<SiteMessage> up = FederationGrpc.newStub(ch).session(new StreamObserver<>() {
            @Override
            public void onNext(CoordinatorMessage m) {
                first.complete(m);
            }

            @Override
            public void onError(Throwable t) {
                first.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                first.complete(Status.OK);
            }
        });
        up.onNext(SiteMessage.newBuilder().setSequence(1)
                .setHello(Hello.newBuilder().setSiteName(siteName)).build());
        try {
            return first.get(15, TimeUnit.SECONDS);
        } finally {
            ch.shutdownNow();
        }
    }
}
