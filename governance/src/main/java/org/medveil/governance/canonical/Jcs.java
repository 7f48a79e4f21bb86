package org.medveil.governance.canonical;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.medveil.governance.crypto.Sha256;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), restricted to the values MedVeil signs: objects,
 * arrays, strings, booleans, null and integers of magnitude at most 2^53 - 1.
 *
 * <p>Object members are sorted by their names' UTF-16 code units ({@link String#compareTo} order),
 * no whitespace is written, strings are escaped as JCS requires ({@code \"} {@code \\}
 * {@code \b \t \n \f \r}, other control characters as backslash-u00xx (lower-case hex), everything
 * else as UTF-8) and lone surrogates are refused. Why integers only: JCS writes numbers the way
 * ECMAScript's {@code Number.prototype.toString} does, and reproducing that shortest round-trip
 * double formatting is easy to get subtly wrong; integers in the exactly representable range print
 * the same in every language. Documents carry fractional values (metrics) as decimal strings. A
 * non-integer number, or an integer beyond 2^53 - 1, is a {@link CanonicalException}.
 */
public final class Jcs {

    /** Largest integer an IEEE double (and so every JCS implementation) holds exactly: 2^53 - 1. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    /** Binds documents to and from trees; strict so a parsed document cannot hide duplicate members. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Jcs() {
    }

    /** The canonical UTF-8 bytes of a tree. */
    public static byte[] canonicalize(JsonNode node) {
        StringBuilder b = new StringBuilder();
        write(node, b, "$");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The canonical UTF-8 bytes of a Java value (records, lists, maps, strings, integers) as Jackson maps it. */
    public static byte[] canonicalize(Object value) {
        JsonNode tree;
        try {
            tree = MAPPER.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new CanonicalException("cannot map " + value.getClass().getSimpleName() + " to JSON: " + e.getMessage(), e);
        }
        return canonicalize(tree);
    }

    /** Parses JSON bytes strictly (valid UTF-8, no duplicate member names, nothing after the value). */
    public static JsonNode parse(byte[] json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null || n.isMissingNode()) {
                throw new CanonicalException("empty document; expected one JSON value");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new CanonicalException("not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset()), e);
        } catch (IOException e) {
            throw new CanonicalException("not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Parses {@code json} and checks that it is exactly its own canonical form; returns the tree.
     * The error names the first byte that differs, so whitespace, member order, escaping or number
     * spelling changed by an editor shows up as such and not as a bad signature.
     */
    public static JsonNode parseCanonical(byte[] json) {
        JsonNode n = parse(json);
        byte[] canonical = canonicalize(n);
        if (!java.util.Arrays.equals(canonical, json)) {
            int i = java.util.Arrays.mismatch(canonical, json);
            throw new CanonicalException("not in RFC 8785 canonical form: first difference at byte " + i
                    + " (whitespace, member order, string escaping or number spelling differ from the canonical"
                    + " bytes); the file was edited after it was written");
        }
        return n;
    }

    /** Binds canonical bytes to a type, refusing non-canonical input and unknown members. */
    public static <T> T read(byte[] json, Class<T> type) {
        JsonNode n = parseCanonical(json);
        try {
            return MAPPER.treeToValue(n, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CanonicalException("does not match the " + type.getSimpleName() + " format: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    private static void write(JsonNode n, StringBuilder b, String path) {
        switch (n.getNodeType()) {
            case NULL -> b.append("null");
            case BOOLEAN -> b.append(n.booleanValue() ? "true" : "false");
            case STRING -> string(n.textValue(), b, path);
            case NUMBER -> number(n, b, path);
            case ARRAY -> {
                b.append('[');
                for (int i = 0; i < n.size(); i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    write(n.get(i), b, path + "[" + i + "]");
                }
                b.append(']');
            }
            case OBJECT -> {
                // String.compareTo compares UTF-16 code units, which is the order RFC 8785 3.2.3 asks for.
                TreeMap<String, JsonNode> sorted = new TreeMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    sorted.put(e.getKey(), e.getValue());
                }
                b.append('{');
                boolean first = true;
                for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    string(e.getKey(), b, path + " member name");
                    b.append(':');
                    write(e.getValue(), b, path + "." + e.getKey());
                }
                b.append('}');
            }
            default -> throw new CanonicalException(path + ": " + n.getNodeType()
                    + " values have no JSON form; use strings, integers, booleans, null, arrays and objects");
        }
    }

    private static void number(JsonNode n, StringBuilder b, String path) {
        if (!n.isIntegralNumber()) {
            throw new CanonicalException(path + ": non-integer number " + n.asText() + " is not accepted in"
                    + " canonical documents (JCS profile: integers only); write it as a decimal string");
        }
        BigInteger v = n.bigIntegerValue();
        if (v.abs().compareTo(BigInteger.valueOf(MAX_SAFE_INTEGER)) > 0) {
            throw new CanonicalException(path + ": integer " + v + " is beyond 2^53-1 and has no exact JCS form;"
                    + " write it as a decimal string");
        }
        b.append(v.toString());
    }

    private static void string(String s, StringBuilder b, String path) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\f' -> b.append("\\f");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new CanonicalException(path + ": string holds a lone UTF-16 surrogate at index " + i
                                + "; JCS (I-JSON) strings must be valid Unicode");
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** SHA-256 of the canonical bytes of {@code value}, lower-case hex. */
    public static String sha256Hex(Object value) {
        return Sha256.hex(canonicalize(value));
    }
}
