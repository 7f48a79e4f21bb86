package org.medveil.site.config;

import org.medveil.governance.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a secret comes from: {@code file:PATH} (relative to the config folder) or {@code env:NAME}.
 * The secret itself never appears in the config, in messages or in logs.
 */
public record SecretSource(Path file, String env) {

    static SecretSource parse(String spec, Path base, String field) {
        if (spec != null && spec.startsWith("file:") && spec.length() > 5) {
            return new SecretSource(base.resolve(spec.substring(5)).normalize(), null);
        }
        if (spec != null && spec.startsWith("env:") && spec.substring(4).matches("[A-Za-z_][A-Za-z0-9_]*")) {
            return new SecretSource(null, spec.substring(4));
        }
        throw new ConfigException("field '" + field + "' must be file:PATH or env:NAME, got '" + spec + "'");
    }

    /** The secret's bytes (a file's content without one trailing newline). */
    public byte[] read() {
        return read(System.getenv());
    }

    byte[] read(Map<String, String> environment) {
        if (file != null) {
            try {
                byte[] b = Files.readAllBytes(file);
                int n = b.length > 0 && b[b.length - 1] == '\n' ? b.length - 1 : b.length;
                return java.util.Arrays.copyOf(b, n);
            } catch (IOException e) {
                throw new ConfigException("cannot read secret file " + file + " (" + e.getClass().getSimpleName()
                        + "); create it or fix the path in site.yaml", e);
            }
        }
        String v = environment.get(env);
        if (v == null || v.isEmpty()) {
            throw new ConfigException("environment variable " + env + " named in site.yaml is not set");
        }
        return v.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return file != null ? "file:" + file : "env:" + env;
    }
}
