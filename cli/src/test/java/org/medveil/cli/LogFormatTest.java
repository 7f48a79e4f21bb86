package org.medveil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemons' --log-format and --log-file, configured in this JVM and restored afterwards. */
class LogFormatTest {

    private static final Set<String> JSON_FIELDS = Set.of("timestamp", "level", "loggerName", "formattedMessage",
            "kvpList", "markers");
    private static final Pattern TEXT_LINE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (INFO |WARN |ERROR) \\S+ - .*$");

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        LogSetup.configure(LogOptions.Format.text, null);
    }

    /** What a daemon logs: our structured refusal, a library warning with a nested exception, and gRPC's JUL. */
    private void logSamples() {
        LogSetup.bridgeJul();
        Logger security = LoggerFactory.getLogger("org.medveil.coordinator.security");
        security.atWarn().addKeyValue("fingerprint", "ab12").addKeyValue("reason", "REVOKED")
                .log("refused TLS client: certificate revoked; certificate sha256:{}", "ab12");
        Exception nested = new RuntimeException("handshake failed\nChannel Pipeline: [SslHandler#0, WBAEH#0]",
                new java.io.IOException("connection reset"));
        LoggerFactory.getLogger("io.grpc.netty.shaded.io.netty.channel.DefaultChannelPipeline")
                .error("An exceptionCaught() event was fired", nested);
        java.util.logging.Logger.getLogger("io.grpc.internal.ManagedChannelImpl").severe("grpc says something");
    }

    @Test
    @DisplayName("json: one object per line, parsed by Jackson, only documented fields, exceptions folded into the message")
    void jsonLines() throws IOException {
        Path file = dir.resolve("logs/coordinator.jsonl");
        LogSetup.configure(LogOptions.Format.json, file);
        logSamples();
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), String.join("\n", lines));
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode n = json.readTree(line);
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertTrue(JSON_FIELDS.contains(f), "field " + f + " (raw arguments or stack traces?) in " + line);
            }
            assertTrue(n.path("timestamp").isNumber(), line);
        }
        JsonNode refusal = json.readTree(lines.get(0));
        assertEquals("WARN", refusal.path("level").asText());
        assertEquals("org.medveil.coordinator.security", refusal.path("loggerName").asText());
        assertEquals("refused TLS client: certificate revoked; certificate sha256:ab12",
                refusal.path("formattedMessage").asText());
        assertEquals("[{\"fingerprint\":\"ab12\"},{\"reason\":\"REVOKED\"}]", refusal.path("kvpList").toString());
        String folded = json.readTree(lines.get(1)).path("formattedMessage").asText();
        assertEquals("An exceptionCaught() event was fired [RuntimeException: handshake failed ...; caused by"
                + " IOException: connection reset]", folded);
        assertEquals("grpc says something", json.readTree(lines.get(2)).path("formattedMessage").asText(),
                "gRPC's java.util.logging arrives in the same log");
    }

    @Test
    @DisplayName("text: one line per event, exceptions on the same line, no pipeline dumps")
    void textLines() throws IOException {
        Path file = dir.resolve("coordinator.log");
        LogSetup.configure(LogOptions.Format.text, file);
        logSamples();
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), String.join("\n", lines));
        for (String line : lines) {
            assertTrue(TEXT_LINE.matcher(line).matches(), line);
            assertFalse(line.contains("Channel Pipeline"), line);
        }
        assertTrue(lines.get(1).endsWith("DefaultChannelPipeline - An exceptionCaught() event was fired"
                + " [RuntimeException: handshake failed ...; caused by IOException: connection reset]"), lines.get(1));
    }

    @Test
    @DisplayName("an unwritable --log-file is one clear error")
    void unwritableLogFile() throws IOException {
        Path blocker = dir.resolve("not-a-folder");
        Files.writeString(blocker, "x");
        CliException e = org.junit.jupiter.api.Assertions.assertThrows(CliException.class,
                () -> LogSetup.configure(LogOptions.Format.text, blocker.resolve("log.txt")));
        assertTrue(e.getMessage().startsWith("cannot write the log file " + blocker.resolve("log.txt")), e.getMessage());
    }
}
