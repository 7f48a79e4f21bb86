package org.medveil.dicom.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.dicom.Environment;
import org.medveil.dicom.io.DicomReader;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 4 "Done when" #2 with Orthanc as the sender: the test starts Orthanc on loopback ports
 * with a generated configuration in a temporary folder, uploads the corpus over its REST API and
 * asks it to C-ECHO and C-STORE to our SCP.
 */
@Tag("issue-4")
class OrthancScpTest {
    private static final String AE = "MEDVEIL";
    private final Map<String, DcmtkScpTest.ReceivedCopy> received = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build(); // Orthanc's server does not speak h2c
    private StorageScp scp;
    private Process orthanc;
    private Path dir;
    private int httpPort;

    @BeforeEach
    void start() throws Exception {
        Path binary = Environment.tool("Orthanc");
        scp = new StorageScp(ScpConfig.of(AE, 0).withBindAddress("127.0.0.1").withAllowedCallingAes(Set.of("ORTHANC")),
                o -> received.put(o.sopInstanceUid(), new DcmtkScpTest.ReceivedCopy(o.callingAe(), o.remoteHost(),
                        o.transferSyntax(), Files.readAllBytes(o.dataSetFile()), o.dataSet()))).start();
        dir = Files.createTempDirectory("medveil-orthanc");
        httpPort = freePort();
        int dicomPort = freePort();
        String config = """
                {
                  "Name": "medveil-test",
                  "StorageDirectory": "%s",
                  "IndexDirectory": "%s",
                  "HttpPort": %d,
                  "DicomPort": %d,
                  "DicomAet": "ORTHANC",
                  "RemoteAccessAllowed": false,
                  "AuthenticationEnabled": false,
                  "HttpServerEnabled": true,
                  "DicomServerEnabled": true,
                  "Plugins": [],
                  "DicomModalities": { "medveil": [ "%s", "127.0.0.1", %d ] }
                }
                """.formatted(dir.resolve("storage"), dir.resolve("index"), httpPort, dicomPort, AE, scp.port());
        Path configFile = dir.resolve("orthanc.json");
        Files.writeString(configFile, config);
        orthanc = new ProcessBuilder(binary.toString(), configFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("orthanc.log").toFile()).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                if (get("/system").statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline || !orthanc.isAlive()) {
                throw new AssertionError("Orthanc did not start: " + Files.readString(dir.resolve("orthanc.log")));
            }
            Thread.sleep(100);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (orthanc != null) {
            orthanc.destroy();
            orthanc.waitFor();
        }
        if (scp != null) {
            scp.close();
        }
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(60)).POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void orthancEchoesAndStoresTheCorpusToOurScp() throws Exception {
        assertEquals(200, post("/modalities/medveil/echo", HttpRequest.BodyPublishers.ofString("{}")).statusCode(),
                "C-ECHO from Orthanc failed");
        Map<String, Path> unique = new LinkedHashMap<>();
        for (Path p : DcmtkScpTest.sendable()) {
            unique.putIfAbsent(new DicomReader(DicomReader.Options.HEADERS).read(p).dataSet()
                    .getString(org.medveil.dicom.Tag.SOPInstanceUID), p);
        }
        Pattern id = Pattern.compile("\"ID\"\\s*:\\s*\"([^\"]+)\"");
        List<String> ids = new ArrayList<>();
        List<Path> uploaded = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Path p : unique.values()) {
            HttpResponse<String> r = post("/instances", HttpRequest.BodyPublishers.ofFile(p));
            Matcher m = id.matcher(r.body());
            if (r.statusCode() == 200 && m.find()) {
                ids.add(m.group(1));
                uploaded.add(p);
            } else {
                refused.add(p.getFileName() + ": HTTP " + r.statusCode() + " " + r.body());
            }
        }
        // Orthanc 1.10 takes every sendable corpus file; a refusal means the corpus or Orthanc
        // changed, and the objects it kept back would silently drop out of the C-STORE check.
        assertEquals(List.of(), refused, "Orthanc refused uploads of corpus files");
        String body = "{\"Resources\": [" + String.join(",", ids.stream().map(s -> "\"" + s + "\"").toList())
                + "], \"Synchronous\": true}";
        HttpResponse<String> store = post("/modalities/medveil/store", HttpRequest.BodyPublishers.ofString(body));
        assertEquals(200, store.statusCode(), "C-STORE from Orthanc failed: " + store.body());
        int same = 0;
        for (Path p : uploaded) {
            same += ArrivalCheck.assertArrivedUnchanged(p, "ORTHANC", received, false) ? 1 : 0;
        }
        System.out.println("Orthanc sent " + uploaded.size() + " objects, " + same + " compared byte for byte");
        assertEquals(uploaded.size(), received.size());
    }
}
