package org.medveil.governance.canonical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.testsupport.External;

/** RFC 8785 examples we can reproduce exactly, the integer-only profile, and Python's json as an independent reference. */
class JcsTest {

    private static String canon(String json) {
        return new String(Jcs.canonicalize(Jcs.parse(json.getBytes(StandardCharsets.UTF_8))), StandardCharsets.UTF_8);
    }

    @Test
    void rfc8785SortingExample() {
        // RFC 8785 section 3.2.3: members sorted by UTF-16 code units (the emoji's high surrogate sorts before U+FB33).
        String in = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        JsonNode sorted = Jcs.parse(Jcs.canonicalize(Jcs.parse(in.getBytes(StandardCharsets.UTF_8))));
        List<String> values = new java.util.ArrayList<>();
        sorted.elements().forEachRemaining(v -> values.add(v.textValue()));
        assertEquals(List.of("Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
                "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"), values);
    }

    @Test
    void rfc8785StringAndLiteralsExample() {
        // RFC 8785 section 3.2.2 example without its "numbers" member (our profile refuses non-integers).
        String in = "{\n  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n}";
        assertEquals("{\"literals\":[null,true,false],\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}", canon(in));
    }

    @Test
    void rfc8785NumbersAreRefusedWithAClearError() {
        CanonicalException e = assertThrows(CanonicalException.class,
                () -> canon("{\"numbers\":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001]}"));
        assertTrue(e.getMessage().contains("$.numbers[0]") && e.getMessage().contains("integers only"), e.getMessage());
        assertThrows(CanonicalException.class, () -> canon("[9007199254740992]"));
        assertEquals("[9007199254740991,-9007199254740991,0]", canon("[9007199254740991,-9007199254740991,-0]"));
    }

    @Test
    void controlCharactersUseLowerCaseHexAndShortEscapes() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("s", "\u0001\u001f\b\t\n\f\r\u007f\u00e9\"\\/");
        assertEquals("{\"s\":\"\\u0001\\u001f\\b\\t\\n\\f\\r\u007f\u00e9\\\"\\\\/\"}",
                new String(Jcs.canonicalize(n), StandardCharsets.UTF_8));
    }

    @Test
    void loneSurrogatesAndDuplicateMembersAreRefused() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("s", "a\ud800b");
        assertThrows(CanonicalException.class, () -> Jcs.canonicalize(n));
        assertThrows(CanonicalException.class, () -> Jcs.parse("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void parseCanonicalRefusesAnythingButTheCanonicalBytes() {
        byte[] ok = "{\"a\":[1,\"x\"],\"b\":true}".getBytes(StandardCharsets.UTF_8);
        Jcs.parseCanonical(ok);
        for (String bad : List.of("{\"b\":true,\"a\":[1,\"x\"]}", "{\"a\":[1,\"x\"], \"b\":true}",
                "{\"a\":[1,\"\\u0078\"],\"b\":true}", "{\"a\":[1,\"x\"],\"b\":true}\n")) {
            CanonicalException e = assertThrows(CanonicalException.class,
                    () -> Jcs.parseCanonical(bad.getBytes(StandardCharsets.UTF_8)), bad);
            assertTrue(e.getMessage().contains("canonical") || e.getMessage().contains("JSON"), e.getMessage());
        }
    }

    /** Python's json with sorted keys and no spaces is JCS for ASCII keys and integers: an independent reference. */
    @Test
    void agreesWithPythonJsonOnRandomDocuments(@TempDir Path tmp) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        External.require(Files.isExecutable(python), "/usr/bin/python3 (apt-get install -y python3)");
        Random rnd = new Random(8785);
        for (int i = 0; i < 25; i++) {
            JsonNode doc = randomValue(rnd, 0);
            // Python gets the pretty-printed, unsorted form, so it does its own sorting and escaping.
            Path in = tmp.resolve("doc" + i + ".json");
            Files.write(in, Jcs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
            External.Result r = External.run(List.of(python.toString(), "-c",
                    "import json,sys; o=json.load(open(sys.argv[1],encoding='utf-8'));"
                            + "sys.stdout.buffer.write(json.dumps(o,sort_keys=True,separators=(',',':'),"
                            + "ensure_ascii=False).encode('utf-8'))", in.toString()));
            assertEquals(0, r.exit(), r.err(StandardCharsets.UTF_8));
            assertArrayEquals(r.out(), Jcs.canonicalize(doc), "document " + i + ": " + Files.readString(in));
        }
    }

    private static JsonNode randomValue(Random rnd, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = depth > 3 ? rnd.nextInt(4) : rnd.nextInt(6);
        return switch (kind) {
            case 0 -> f.numberNode(rnd.nextLong() % Jcs.MAX_SAFE_INTEGER);
            case 1 -> f.textNode(randomString(rnd));
            case 2 -> f.booleanNode(rnd.nextBoolean());
            case 3 -> f.nullNode();
            case 4 -> {
                var a = f.arrayNode();
                for (int i = rnd.nextInt(5); i > 0; i--) {
                    a.add(randomValue(rnd, depth + 1));
                }
                yield a;
            }
            default -> {
                var o = f.objectNode();
                for (int i = rnd.nextInt(6); i > 0; i--) {
                    StringBuilder k = new StringBuilder();
                    for (int j = rnd.nextInt(8); j >= 0; j--) {
                        k.append((char) (0x20 + rnd.nextInt(0x5f))); // printable ASCII keys
                    }
                    o.set(k.toString(), randomValue(rnd, depth + 1));
                }
                yield o;
            }
        };
    }

    private static String randomString(Random rnd) {
        String pool = "ab\"\\/\u0000\u0001\u001f\b\t\n\f\r\u007f\u00e9\u20ac\ud83d\ude00 z";
        StringBuilder b = new StringBuilder();
        for (int i = rnd.nextInt(12); i > 0; i--) {
            int p = rnd.nextInt(pool.length());
            char c = pool.charAt(p);
            if (Character.isHighSurrogate(c)) {
                b.append(c).append(pool.charAt(p + 1));
            } else if (!Character.isLowSurrogate(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
