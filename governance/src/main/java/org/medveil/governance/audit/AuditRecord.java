package org.medveil.governance.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.medveil.governance.crypto.Sha256;

/**
 * One audit record, one JSON line in canonical form: keys in the order seq, time, type, actor,
 * fields (keys sorted), prev, hash; no spaces. {@code hash} is the SHA-256 of the line without
 * its {@code ,"hash":"…"} member; {@code prev} is the SHA-256 of the previous record's whole line
 * (its exact bytes, without the newline). A parsed line must re-serialise to exactly the same
 * bytes, so nothing can be hidden in whitespace, key order or duplicate keys.
 *
 * <p>The member order is fixed (seq first, for people reading the log) rather than the sorted
 * order of RFC 8785 ({@code canonical.Jcs}): existing logs are hash-chained over these exact bytes.
 */
public record AuditRecord(long seq, String time, String type, String actor, SortedMap<String, String> fields,
                          String prev, String hash) {

    /** {@code prev} of the first record: the chain starts at 64 zeros. */
    public static final String GENESIS = "0".repeat(64);
    public static final String CHECKPOINT = "checkpoint";
    public static final String LOG_RECOVERED = "log-recovered";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{0,39}");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> KEYS = Set.of("seq", "time", "type", "actor", "fields", "prev", "hash");

    public AuditRecord {
        fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
    }

    /** A new record chained after a line whose SHA-256 is {@code prev}; computes its hash. */
    static AuditRecord create(long seq, Instant time, String type, String actor, Map<String, String> fields, String prev) {
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("audit record type '" + type + "' must be 1-40 lower-case letters,"
                    + " digits or '-', starting with a letter");
        }
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("an audit record needs an actor: a certificate fingerprint, a role or 'system'");
        }
        TreeMap<String, String> f = new TreeMap<>();
        fields.forEach((k, v) -> {
            if (k == null || k.isEmpty() || v == null) {
                throw new IllegalArgumentException("audit field keys must be non-empty and values non-null (key '" + k + "')");
            }
            f.put(k, v);
        });
        AuditRecord unsigned = new AuditRecord(seq, time.toString(), type, actor, f, prev, "");
        return new AuditRecord(seq, unsigned.time, type, actor, f, prev, sha256Hex(unsigned.body()));
    }

    public boolean isCheckpoint() {
        return CHECKPOINT.equals(type);
    }

    /** The canonical line without its hash member: what {@code hash} covers. */
    byte[] body() {
        return json(false).getBytes(StandardCharsets.UTF_8);
    }

    /** The canonical line, without the newline. */
    public byte[] line() {
        return json(true).getBytes(StandardCharsets.UTF_8);
    }

    private String json(boolean withHash) {
        ObjectNode n = JSON.createObjectNode();
        n.put("seq", seq);
        n.put("time", time);
        n.put("type", type);
        n.put("actor", actor);
        ObjectNode f = n.putObject("fields");
        fields.forEach(f::put);
        n.put("prev", prev);
        if (withHash) {
            n.put("hash", hash);
        }
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when {@code hash} is the SHA-256 of the record's content. */
    public boolean hashMatches() {
        return sha256Hex(body()).equals(hash);
    }

    /**
     * Parses one line; throws {@link IllegalArgumentException} saying what is wrong when it is not a
     * record in canonical form. Does not check the hash.
     */
    public static AuditRecord parse(byte[] line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON (" + e.getMessage() + ")");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown member '" + k + "'");
            }
        }
        JsonNode fieldsNode = n.get("fields");
        if (!n.path("seq").isIntegralNumber() || !n.path("time").isTextual() || !n.path("type").isTextual()
                || !n.path("actor").isTextual() || fieldsNode == null || !fieldsNode.isObject()
                || !n.path("prev").isTextual() || !n.path("hash").isTextual()) {
            throw new IllegalArgumentException("a member is missing or of the wrong type"
                    + " (needs seq number, time, type, actor, fields object, prev, hash strings)");
        }
        TreeMap<String, String> fields = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fieldsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("field '" + e.getKey() + "' is not a string");
            }
            fields.put(e.getKey(), e.getValue().textValue());
        }
        AuditRecord r = new AuditRecord(n.get("seq").longValue(), n.get("time").textValue(), n.get("type").textValue(),
                n.get("actor").textValue(), fields, n.get("prev").textValue(), n.get("hash").textValue());
        try {
            Instant.parse(r.time);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time '" + r.time + "' is not an ISO-8601 UTC instant");
        }
        if (!HEX64.matcher(r.prev).matches() || !HEX64.matcher(r.hash).matches()) {
            throw new IllegalArgumentException("prev and hash must be 64 lower-case hex digits");
        }
        if (!java.util.Arrays.equals(r.line(), line)) {
            throw new IllegalArgumentException("not in canonical form (member order, spacing, escaping or duplicate"
                    + " members differ from what the audit log writes)");
        }
        return r;
    }

    static String sha256Hex(byte[] bytes) {
        return Sha256.hex(bytes);
    }
}
