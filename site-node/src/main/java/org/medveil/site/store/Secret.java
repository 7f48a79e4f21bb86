package org.medveil.site.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a password comes from, as written in configuration: {@code file:PATH} (first line of an
 * owner-only file) or {@code env:NAME} (an environment variable). {@link #toString()} gives the
 * source, never the secret.
 */
public final class Secret {

    private final String spec;
    private final Path file;
    private final String envName;
    private final Function<String, String> env;

    private Secret(String spec, Path file, String envName, Function<String, String> env) {
        this.spec = spec;
        this.file = file;
        this.envName = envName;
        this.env = env;
    }

    /** Parses {@code file:PATH} or {@code env:NAME}. */
    public static Secret parse(String spec) {
        return parse(spec, System::getenv);
    }

    /** As {@link #parse(String)} with an explicit environment (for tests and child processes). */
    public static Secret parse(String spec, Map<String, String> environment) {
        return parse(spec, environment::get);
    }

    private static Secret parse(String spec, Function<String, String> env) {
        if (spec != null && spec.startsWith("file:") && spec.length() > 5) {
            return new Secret(spec, Path.of(spec.substring(5)), null, env);
        }
        if (spec != null && spec.startsWith("env:") && spec.length() > 4) {
            return new Secret(spec, null, spec.substring(4), env);
        }
        throw new StoreException("password source '" + spec
                + "' is not understood; write file:PATH (a file holding the password) or env:NAME"
                + " (an environment variable)");
    }

    /** Reads the password now. The caller clears the array when done. */
    public char[] read() {
        String value;
        if (file != null) {
            try {
                KeyFiles.requireOwnerOnly(file, "password file");
                String text = Files.readString(file, StandardCharsets.UTF_8);
                int nl = text.indexOf('\n');
                value = (nl < 0 ? text : text.substring(0, nl)).replace("\r", "");
            } catch (NoSuchFileException e) {
                throw new StoreException("password file " + file + " does not exist; create it (mode 0600)"
                        + " or fix the password source in the configuration");
            } catch (IOException e) {
                throw new StoreException("password file " + file + " cannot be read: " + e.getMessage(), e);
            }
        } else {
            value = env.apply(envName);
            if (value == null) {
                throw new StoreException("environment variable " + envName
                        + " (password source) is not set; set it before starting the site node");
            }
        }
        if (value.isEmpty()) {
            throw new StoreException("password from " + spec + " is empty; put the keystore password there");
        }
        return value.toCharArray();
    }

    @Override
    public String toString() {
        return spec;
    }
}
