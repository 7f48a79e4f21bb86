package org.medveil.coordinator;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.NotSslRecordException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import org.medveil.governance.pki.PeerRefusedException;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * gRPC's TLS server negotiation with one addition: every failed handshake is reported, with the
 * client's address and a classified reason, so refusals that happen before any certificate
 * check (a TLS 1.2 client, a client without a certificate) are logged too. grpc-netty offers no
 * public hook for this; {@code InternalNettyServerCredentials} and
 * {@code InternalProtocolNegotiators} are its documented extension points for transports, kept
 * stable across releases but marked internal, so an upgrade of grpc-java must re-run the
 * handshake-refusal tests.
 */
final class TlsHandshakes {

    /** Why a handshake failed, as far as the server can tell. */
    enum Failure {
        /** Our trust manager refused the certificate; it has logged the refusal itself. */
        CERTIFICATE_REFUSED("certificate refused"),
        OLD_TLS("the client offered only TLS versions before 1.3; this coordinator speaks TLS 1.3 only"),
        NO_CERTIFICATE("the client presented no certificate; a startup kit's certificate is required"),
        CLIENT_REFUSED_US("the client refused this coordinator's certificate"),
        NOT_TLS("the client did not speak TLS (plain HTTP or another protocol on the TLS port?)"),
        CLOSED("the connection closed before the TLS handshake completed"),
        OTHER("the TLS handshake failed");

        final String text;

        Failure(String text) {
            this.text = text;
        }
    }

    /** Gets each failed handshake: the client's host and port, the classified reason and, for OTHER, a one-line detail. */
    interface Listener {
        void failed(String clientHost, Failure failure, String detail);
    }

    private TlsHandshakes() {
    }

    static ServerCredentials credentials(SslContext ssl, Listener listener) {
        InternalProtocolNegotiator.ProtocolNegotiator tls = InternalProtocolNegotiators.serverTls(ssl);
        return InternalNettyServerCredentials.create(new InternalProtocolNegotiator.ProtocolNegotiator() {
            @Override
            public AsciiString scheme() {
                return tls.scheme();
            }

            @Override
            public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
                return new Watcher(tls.newHandler(grpcHandler), listener);
            }

            @Override
            public void close() {
                tls.close();
            }
        });
    }

    /**
     * Sits behind gRPC's TLS handler. gRPC passes a failed handshake on as an exception event
     * (and then closes the connection); the watcher reports it once and passes it on. Once the
     * handshake has succeeded, exceptions are the session's business and pass straight through.
     */
    private static final class Watcher extends ChannelInboundHandlerAdapter {
        private final ChannelHandler tlsHandler;
        private final Listener listener;
        private boolean reported;

        Watcher(ChannelHandler tlsHandler, Listener listener) {
            this.tlsHandler = tlsHandler;
            this.listener = listener;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().addBefore(ctx.name(), null, tlsHandler);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (!reported && (ssl == null || !ssl.handshakeFuture().isSuccess())) {
                reported = true;
                Failure failure = classify(cause);
                String detail = switch (failure) {
                    case OTHER -> oneLine(cause);
                    case CLIENT_REFUSED_US -> "alert " + alertName(cause);
                    default -> null;
                };
                listener.failed(host(ctx.channel().remoteAddress()), failure, detail);
            }
            ctx.fireExceptionCaught(cause);
        }
    }

    static Failure classify(Throwable cause) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof PeerRefusedException) {
                return Failure.CERTIFICATE_REFUSED;
            }
            if (t instanceof NotSslRecordException) {
                return Failure.NOT_TLS;
            }
            all.append(' ').append(t.getClass().getSimpleName()).append(' ').append(t.getMessage());
        }
        String m = all.toString().toUpperCase(Locale.ROOT);
        if (m.contains("UNSUPPORTED_PROTOCOL") || m.contains("PROTOCOL_VERSION") || m.contains("WRONG_VERSION_NUMBER")) {
            return Failure.OLD_TLS;
        }
        if (m.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || m.contains("CERTIFICATE_REQUIRED")) {
            return Failure.NO_CERTIFICATE;
        }
        if (m.contains("_ALERT_")) {
            return Failure.CLIENT_REFUSED_US;
        }
        if (m.contains("CLOSEDCHANNELEXCEPTION") || m.contains("SSLCLOSEDENGINEEXCEPTION")
                || m.contains("CONNECTION RESET") || m.contains("CLOSED")) {
            return Failure.CLOSED;
        }
        return Failure.OTHER;
    }

    /** The TLS alert named in a BoringSSL error ("...SSLV3_ALERT_CERTIFICATE_REVOKED" gives certificate_revoked). */
    static String alertName(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toUpperCase(Locale.ROOT);
            int i = m.indexOf("_ALERT_");
            if (i >= 0) {
                int end = i + 7;
                while (end < m.length() && (Character.isLetterOrDigit(m.charAt(end)) || m.charAt(end) == '_')) {
                    end++;
                }
                return m.substring(i + 7, end).toLowerCase(Locale.ROOT);
            }
        }
        return "unknown";
    }

    /** The deepest cause's message on one line, without library pipeline dumps. */
    static String oneLine(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int cut = m.indexOf('\n');
        return cut < 0 ? m : m.substring(0, cut);
    }

    static String host(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
        }
        return a == null ? "unknown" : a.toString();
    }
}
