package org.medveil.models.spec;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A declarative model: a zoo name plus hyperparameters, written {@code name[:key=value,...]}
 * (e.g. {@code cnn:input=64,filters=8}). Jobs name models this way; {@link #toString()} is the
 * canonical form (keys sorted), so two equal specs print identically in manifests.
 *
 * <p>{@code torchscript:FILE.pt[,key=value,...]} names a scripted PyTorch module instead of a zoo
 * network: a bare first value is the {@code file} key, so it prints as
 * {@code torchscript:file=FILE.pt,...}.
 */
public record ModelSpec(String name, Map<String, String> params) {
    /** Name of specs that point at a TorchScript file rather than a zoo network. */
    public static final String TORCHSCRIPT = "torchscript";

    public ModelSpec {
        if (name == null || name.isBlank()) {
            throw new ModelSpecException("model spec has no name; write e.g. 'cnn' or 'resnet:input=64'");
        }
        params = Collections.unmodifiableMap(new TreeMap<>(params));
    }

    /** Parses {@code name[:key=value,...]}. */
    public static ModelSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new ModelSpecException("empty model spec; write e.g. 'cnn' or 'resnet:input=64,filters=8'");
        }
        String t = text.strip();
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon).strip();
        Map<String, String> params = new TreeMap<>();
        if (colon >= 0 && colon < t.length() - 1) {
            String[] parts = t.substring(colon + 1).split(",");
            if (TORCHSCRIPT.equals(name) && parts[0].indexOf('=') < 0 && !parts[0].isBlank()) {
                parts[0] = "file=" + parts[0];
            }
            for (String part : parts) {
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1) {
                    throw new ModelSpecException("model spec '" + t + "': '" + part.strip()
                            + "' is not key=value; write e.g. 'cnn:input=64,filters=8'");
                }
                String key = part.substring(0, eq).strip();
                if (params.put(key, part.substring(eq + 1).strip()) != null) {
                    throw new ModelSpecException("model spec '" + t + "' sets '" + key + "' twice; keep one");
                }
            }
        }
        return new ModelSpec(name, params);
    }

    /** A copy with {@code key} set to {@code value}. */
    public ModelSpec with(String key, String value) {
        Map<String, String> p = new TreeMap<>(params);
        p.put(key, value);
        return new ModelSpec(name, p);
    }

    /** Integer hyperparameter {@code key}, {@code fallback} when absent, checked to be in [min, max]. */
    public int intParam(String key, int fallback, int min, int max) {
        String v = params.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) {
                throw new ModelSpecException("model spec " + this + ": " + key + "=" + v
                        + " is out of range; use a value in [" + min + ", " + max + "]");
            }
            return i;
        } catch (NumberFormatException e) {
            throw new ModelSpecException("model spec " + this + ": " + key + "=" + v + " is not an integer");
        }
    }

    /** Decimal hyperparameter {@code key}, {@code fallback} when absent, checked to be in [min, max]. */
    public double doubleParam(String key, double fallback, double min, double max) {
        String v = params.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (!(d >= min && d <= max)) {
                throw new ModelSpecException("model spec " + this + ": " + key + "=" + v
                        + " is out of range; use a value in [" + min + ", " + max + "]");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ModelSpecException("model spec " + this + ": " + key + "=" + v + " is not a number");
        }
    }

    @Override
    public String toString() {
        if (params.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append(':');
        params.forEach((k, v) -> b.append(k).append('=').append(v).append(','));
        b.setLength(b.length() - 1);
        return b.toString();
    }
}
