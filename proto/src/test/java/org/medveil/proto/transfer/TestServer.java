package org.medveil.proto.transfer;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;

import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * A Transfer server over real mTLS on loopback for the tests; the caller's name is the CN of
 * its client certificate, set into {@link TransferService#CALLER} by an interceptor the way a
 * daemon would.
 */
final class TestServer implements AutoCloseable {
    static final int FLOW_WINDOW = 1 << 20;

    final TestTls tls;
    final int port;
    final int maxPartBytes;
    private final TransferStore store;
    private Server server;

    TestServer(TestTls tls, TransferStore store, int maxPartBytes) throws Exception {
        this(tls, store, maxPartBytes, freePort());
    }

    TestServer(TestTls tls, TransferStore store, int maxPartBytes, int port) throws Exception {
        this.tls = tls;
        this.store = store;
        this.maxPartBytes = maxPartBytes;
        this.port = port;
        start();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts (again) on the same port, with the same store. */
    void start() throws Exception {
        TestTls.Leaf leaf = tls.leaf("coordinator");
        SslContextBuilder ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(leaf.key(), leaf.cert()))
                .trustManager(tls.ca).clientAuth(ClientAuth.REQUIRE);
        TransferService service = new TransferService(store, TransferService.CALLER::get, maxPartBytes);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .sslContext(ssl.build())
                .maxInboundMessageSize(TransferService.maxMessageBytes(maxPartBytes))
                .flowControlWindow(FLOW_WINDOW)
                .addService(ServerInterceptors.intercept(service, new CallerFromCertificate()))
                .build().start();
    }

    /** Drops every connection at once, as a crash or a network cut would. */
    void kill() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }

    ManagedChannel channel(String cn) throws Exception {
        TestTls.Leaf leaf = tls.leaf(cn);
        return NettyChannelBuilder.forAddress("localhost", port)
                .sslContext(GrpcSslContexts.forClient().keyManager(leaf.key(), leaf.cert()).trustManager(tls.ca).build())
                .maxInboundMessageSize(TransferService.maxMessageBytes(maxPartBytes))
                .flowControlWindow(FLOW_WINDOW)
                .build();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /** Reads the CN of the verified client certificate. */
    private static final class CallerFromCertificate implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            try {
                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                X509Certificate cert = (X509Certificate) session.getPeerCertificates()[0];
                String cn = null;
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        cn = rdn.getValue().toString();
                    }
                }
                return Contexts.interceptCall(Context.current().withValue(TransferService.CALLER, cn), call, headers, next);
            } catch (Exception e) {
                call.close(Status.UNAUTHENTICATED.withDescription("no usable client certificate"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
        }
    }
}
