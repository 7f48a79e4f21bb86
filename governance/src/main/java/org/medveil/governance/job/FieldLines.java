package org.medveil.governance.job;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The line on which each field of a YAML document starts, by path ({@code local.epochs},
 * {@code sites[1].dua}), so a value that binds but is not allowed can be reported with its line,
 * the way {@code YamlFiles} reports an unknown field or a wrong type.
 */
final class FieldLines {

    private static final YAMLFactory YAML = new YAMLFactory();
    private final Map<String, Integer> lines;

    private FieldLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /** No lines known (a spec read back from signed JSON). */
    static FieldLines none() {
        return new FieldLines(Map.of());
    }

    /** Best effort: a document the scanner cannot read gets no lines; the binder reports its syntax error. */
    static FieldLines of(String yaml) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = YAML.createParser(yaml)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                JsonPointer ptr = p.getParsingContext().pathAsPointer();
                lines.putIfAbsent(path(ptr), p.currentTokenLocation().getLineNr());
            }
        } catch (IOException e) {
            // keep what was read
        }
        return new FieldLines(lines);
    }

    /** " line N" for the field or its nearest enclosing field, or "" when unknown. */
    String at(String field) {
        String f = field;
        while (!f.isEmpty()) {
            Integer line = lines.get(f);
            if (line != null && line > 0) {
                return " line " + line;
            }
            int cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
            f = cut < 0 ? "" : f.substring(0, cut);
        }
        return "";
    }

    private static String path(JsonPointer ptr) {
        StringBuilder b = new StringBuilder();
        for (JsonPointer p = ptr; p != null && !p.matches(); p = p.tail()) {
            if (p.mayMatchElement() && p.getMatchingProperty().chars().allMatch(Character::isDigit)) {
                b.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(p.getMatchingProperty());
            }
        }
        return b.toString();
    }
}
