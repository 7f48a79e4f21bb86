package org.medveil.dicom.occlusion;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.dict.DataDictionary;
import org.medveil.dicom.dict.DictEntry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An ordered list of occlusion rules; the first rule whose conditions all hold wins (the model is
 * CTP's DicomPixelAnonymizer). File format, one statement per line, '#' starts a comment:
 * <pre>
 * rule GE LOGIQ ultrasound 1024x768
 *   Modality = US
 *   Manufacturer ~ GE
 *   Columns = 1024
 *   blank 0,0,1024,60
 * end
 * </pre>
 * Conditions name any dictionary keyword; Modality, Manufacturer, ManufacturerModelName, Rows and
 * Columns are the usual ones. {@code blank x,y,w,h} (w or h may be '*', to the edge) may repeat.
 */
public final class OcclusionRules {
    private final List<OcclusionRule> rules;

    public OcclusionRules(List<OcclusionRule> rules) { this.rules = List.copyOf(rules); }

    public static OcclusionRules none() { return new OcclusionRules(List.of()); }

    public List<OcclusionRule> rules() { return rules; }

    /** The first matching rule, evaluated on the original (not yet de-identified) header. */
    public Optional<OcclusionRule> match(DataSet ds) {
        for (OcclusionRule r : rules) {
            if (r.matches(ds)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The rules shipped with MedVeil (common ultrasound and CT dose screens). */
    public static OcclusionRules shipped() {
        try (InputStream in = OcclusionRules.class.getResourceAsStream("shipped-rules.txt")) {
            if (in == null) {
                throw new IllegalStateException("shipped-rules.txt is missing from the dicom jar");
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "shipped-rules.txt");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped occlusion rules: " + e.getMessage(), e);
        }
    }

    public static OcclusionRules load(Path file) throws OcclusionException {
        try {
            return parse(Files.newBufferedReader(file, StandardCharsets.UTF_8), file.getFileName().toString());
        } catch (OcclusionException e) {
            throw e;
        } catch (IOException e) {
            throw new OcclusionException("cannot read occlusion rules file " + file + ": " + e.getMessage(), e);
        }
    }

    public static OcclusionRules parse(String text, String source) throws OcclusionException {
        try {
            return parse(new StringReader(text), source);
        } catch (OcclusionException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OcclusionRules parse(Reader reader, String source) throws IOException {
        BufferedReader r = new BufferedReader(reader);
        List<OcclusionRule> out = new ArrayList<>();
        String name = null;
        List<Condition> conds = new ArrayList<>();
        List<Rectangle> rects = new ArrayList<>();
        String line;
        int n = 0;
        int ruleLine = 0;
        while ((line = r.readLine()) != null) {
            n++;
            int hash = line.indexOf('#');
            String l = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (l.isEmpty()) {
                continue;
            }
            String where = source + " line " + n;
            if (l.equals("rule") || l.startsWith("rule ")) {
                if (name != null) {
                    throw new OcclusionException(where + ": rule '" + name + "' is not closed; add 'end' before the next rule");
                }
                name = l.substring(4).strip();
                if (name.isEmpty()) {
                    throw new OcclusionException(where + ": a rule needs a name ('rule NAME')");
                }
                ruleLine = n;
                conds = new ArrayList<>();
                rects = new ArrayList<>();
            } else if (name == null) {
                throw new OcclusionException(where + ": '" + l + "' outside a rule; start one with 'rule NAME'");
            } else if (l.equals("end")) {
                if (rects.isEmpty()) {
                    throw new OcclusionException(source + " line " + ruleLine + ": rule '" + name
                            + "' has no 'blank x,y,w,h' line");
                }
                out.add(new OcclusionRule(name, conds, rects));
                name = null;
            } else if (l.startsWith("blank ")) {
                rects.add(rectangle(l.substring(6).strip(), where));
            } else {
                conds.add(condition(l, where));
            }
        }
        if (name != null) {
            throw new OcclusionException(source + " line " + ruleLine + ": rule '" + name + "' has no 'end'");
        }
        return new OcclusionRules(out);
    }

    private static Rectangle rectangle(String s, String where) throws OcclusionException {
        String[] p = s.split(",");
        if (p.length != 4) {
            throw new OcclusionException(where + ": 'blank " + s + "' needs four numbers x,y,w,h");
        }
        try {
            return new Rectangle(num(p[0]), num(p[1]), dim(p[2]), dim(p[3]));
        } catch (IllegalArgumentException e) {
            throw new OcclusionException(where + ": " + e.getMessage());
        }
    }

    private static int num(String s) { return Integer.parseInt(s.strip()); }

    private static int dim(String s) { return s.strip().equals("*") ? Rectangle.TO_EDGE : num(s); }

    private static Condition condition(String l, String where) throws OcclusionException {
        int i = 0;
        while (i < l.length() && Character.isLetterOrDigit(l.charAt(i))) {
            i++;
        }
        String keyword = l.substring(0, i);
        String rest = l.substring(i).strip();
        Condition.Op op = rest.isEmpty() ? null : Condition.Op.of(rest.substring(0, 1));
        if (keyword.isEmpty() || op == null) {
            throw new OcclusionException(where + ": cannot read '" + l + "'; expected 'Keyword = value' (or ~ contains, "
                    + "^ starts with), 'blank x,y,w,h' or 'end'");
        }
        DictEntry e = DataDictionary.standard().byKeyword(keyword);
        if (e == null || e.mask() != 0xFFFFFFFF) {
            throw new OcclusionException(where + ": '" + keyword + "' is not a DICOM attribute keyword "
                    + "(e.g. Modality, Manufacturer, ManufacturerModelName, Rows, Columns)");
        }
        String value = rest.substring(1).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return new Condition(keyword, e.tag(), op, value);
    }
}
