package org.medveil.governance.grade;

import org.medveil.governance.config.ConfigException;
import org.medveil.governance.config.YamlFiles;
import org.medveil.governance.text.Keywords;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configurable list of "special diseases" (特殊病种) whose detailed images are level 5:
 * ICD-10 codes or code ranges, and keywords matched in free text. A default list ships as
 * {@code special-diseases.yaml}; a site replaces it with its own file.
 *
 * <pre>
 * codes: [B20-B24, Z21, A50-A64, F01-F99]
 * keywords: [HIV, AIDS, 艾滋病, syphilis, 梅毒]
 * </pre>
 */
public final class SpecialDiseaseList {

    public record Config(List<String> codes, List<String> keywords) {
    }

    private static final Pattern CODE = Pattern.compile("([A-Z])(\\d{2})(?:\\.?(\\w*))?");

    private record Range(char letter, int from, int to, String text) {
        boolean contains(char l, int n) {
            return l == letter && n >= from && n <= to;
        }
    }

    private final List<Range> ranges = new ArrayList<>();
    private final List<String> keywords = new ArrayList<>();

    public SpecialDiseaseList(Config config, String source) {
        for (String c : config.codes() == null ? List.<String>of() : config.codes()) {
            ranges.add(parseRange(c.trim().toUpperCase(Locale.ROOT), source));
        }
        for (String k : config.keywords() == null ? List.<String>of() : config.keywords()) {
            if (k.isBlank()) {
                throw new ConfigException(source + ": empty keyword in 'keywords'");
            }
            keywords.add(k.toLowerCase(Locale.ROOT));
        }
    }

    public static SpecialDiseaseList load(Path file) {
        return new SpecialDiseaseList(YamlFiles.read(file, Config.class), file.toString());
    }

    public static SpecialDiseaseList defaults() {
        try (InputStream in = SpecialDiseaseList.class.getResourceAsStream("special-diseases.yaml")) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new SpecialDiseaseList(YamlFiles.parse(yaml, Config.class, "special-diseases.yaml"),
                    "built-in special-diseases.yaml");
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("built-in special-diseases.yaml missing from the governance jar", e);
        }
    }

    /** The first entry the object matches, described without the matched text (it may be PHI-adjacent). */
    public Optional<String> match(List<String> codes, List<String> descriptions) {
        for (String code : codes) {
            Matcher m = CODE.matcher(code.trim().toUpperCase(Locale.ROOT));
            if (m.matches()) {
                char letter = m.group(1).charAt(0);
                int n = Integer.parseInt(m.group(2));
                for (Range r : ranges) {
                    if (r.contains(letter, n)) {
                        return Optional.of("diagnosis code in special-disease range " + r.text());
                    }
                }
            }
        }
        for (String d : descriptions) {
            String lower = d.toLowerCase(Locale.ROOT);
            for (String k : keywords) {
                if (Keywords.mentions(lower, k)) {
                    return Optional.of("description matches special-disease keyword '" + k + "'");
                }
            }
        }
        return Optional.empty();
    }

    private static Range parseRange(String text, String source) {
        String[] parts = text.split("-");
        if (parts.length > 2) {
            throw new ConfigException(source + ": code range '" + text + "' is not CODE or CODE-CODE");
        }
        Matcher a = CODE.matcher(parts[0]);
        Matcher b = CODE.matcher(parts[parts.length - 1]);
        if (!a.matches() || !b.matches() || a.group(1).charAt(0) != b.group(1).charAt(0)) {
            throw new ConfigException(source + ": code range '" + text + "' is not an ICD-10 code or a range within"
                    + " one chapter letter, e.g. B20-B24");
        }
        return new Range(a.group(1).charAt(0), Integer.parseInt(a.group(2)), Integer.parseInt(b.group(2)), text);
    }
}
