package org.medveil.governance.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Strict YAML binding for every MedVeil configuration file: an unknown field, a wrong type or a
 * missing required value is an error that names the file, the field and the line.
 */
public final class YamlFiles {

    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private YamlFiles() {
    }

    public static <T> T read(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, type, file.toString());
    }

    public static <T> T parse(String yaml, Class<T> type, String source) {
        try {
            T value = MAPPER.readValue(yaml, type);
            if (value == null) {
                throw new ConfigException(source + " is empty");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw describe(e, source);
        }
    }

    /** Binds a sub-tree (e.g. a daemon's own settings section) with the same strictness. */
    public static <T> T convert(JsonNode node, Class<T> type, String source) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw describe(e, source);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, Object value) {
        try {
            Files.writeString(file, MAPPER.writeValueAsString(value));
        } catch (IOException e) {
            throw new ConfigException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static String toYaml(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConfigException describe(JsonProcessingException e, String source) {
        String where = source + location(e.getLocation());
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            return new ConfigException(where + ": unknown field '" + path(u) + "'; allowed here: " + known, e);
        }
        if (e instanceof InvalidFormatException f) {
            return new ConfigException(where + ": field '" + path(f) + "' has an invalid value '" + f.getValue()
                    + "' (expected " + f.getTargetType().getSimpleName() + ")", e);
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            return new ConfigException(where + ": field '" + path(m) + "': " + firstLine(m.getOriginalMessage()), e);
        }
        return new ConfigException(where + ": " + firstLine(e.getOriginalMessage()), e);
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String location(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? "" : " line " + loc.getLineNr();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid content";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
