package org.medveil.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.coordinator.CoordinatorServer;
import org.medveil.coordinator.CoordinatorSettings;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.pki.TlsMaterial;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.OpenConsoleRequest;
import org.medveil.proto.admin.OpenConsoleResponse;

/**
 * The admin RPC behind {@code medveil console open}, on a real coordinator over mutual TLS: the
 * link it returns signs in exactly the caller of the call (name and role from its certificate),
 * and a coordinator without its console says so.
 */
class ConsoleRpcTest {

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static ManagedChannel channel(Kit user, int port) throws Exception {
        return NettyChannelBuilder.forAddress("localhost", port).sslContext(GrpcSslContexts.forClient()
                .keyManager(TlsMaterial.keyManagers(user)).trustManager(user.caCertificate()).protocols("TLSv1.3")
                .build()).build();
    }

    @Test
    @DisplayName("OpenConsole returns a one-time link for the caller's own identity; with the console off it is refused")
    void linkIsForTheCaller() throws Exception {
        int port = freePort();
        Provisioner.init(new ProjectSpec("demo", "localhost:" + port, null, null, List.of("hospital-a"),
                List.of(new ProjectSpec.User("carla", "compliance-officer"))), dir.resolve("prov"), Clock.systemUTC());
        Kit coordinatorKit = Kit.load(dir.resolve("prov/coordinator"));
        Kit carla = Kit.load(dir.resolve("prov/users/carla"));
        try (CoordinatorServer server = CoordinatorServer.start(coordinatorKit, CoordinatorSettings.DEFAULTS
                .withListen("127.0.0.1:" + port).withStateDir(dir.resolve("state").toString()), Clock.systemUTC())) {
            ManagedChannel ch = channel(carla, port);
            try {
                AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS);
                StatusRuntimeException off = assertThrows(StatusRuntimeException.class,
                        () -> admin.openConsole(OpenConsoleRequest.getDefaultInstance()));
                assertEquals(Status.Code.FAILED_PRECONDITION, off.getStatus().getCode());
                assertTrue(off.getStatus().getDescription().contains("--console PORT"), off.getStatus().getDescription());

                ConsoleServer console = server.openConsole(0);
                OpenConsoleResponse r = admin.openConsole(OpenConsoleRequest.getDefaultInstance());
                assertTrue(r.getUrl().startsWith("https://localhost:" + console.port() + "/login?token="), r.getUrl());
                Instant expires = Instant.ofEpochSecond(r.getExpires().getSeconds());
                assertTrue(expires.isAfter(Instant.now().plusSeconds(30)) && expires.isBefore(Instant.now().plusSeconds(61)),
                        expires.toString());

                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("ca", carla.caCertificate());
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(null, tmf.getTrustManagers(), null);
                HttpClient http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
                HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(r.getUrl())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(303, login.statusCode());
                String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
                HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + console.port()
                        + "/api/me")).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(me.body().contains("\"name\":\"carla\"") && me.body().contains("\"role\":\"compliance-officer\""),
                        me.body());
                assertTrue(me.body().contains("\"abort\":false") && me.body().contains("\"manifests\":true"), me.body());
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
