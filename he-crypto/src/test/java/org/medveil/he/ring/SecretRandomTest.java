package org.medveil.he.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.medveil.he.multiparty.KeyShare;

/**
 * Secrets can only come from {@link SecretRandom}: the public API has no way to build one from a
 * caller's seed, no way to sample a secret distribution from a public-seeded {@link Prng}, and
 * no public method anywhere in the module takes a {@code Prng}. (The compiler enforces this for
 * callers; this test keeps the API from growing a back door.)
 */
class SecretRandomTest {

    @Test
    void secretRandomCannotBeSeededByTheCaller() {
        for (Constructor<?> c : SecretRandom.class.getDeclaredConstructors()) {
            assertFalse(Modifier.isPublic(c.getModifiers()), "SecretRandom must not have a public constructor");
        }
        for (Method m : SecretRandom.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getReturnType() == SecretRandom.class) {
                assertEquals(0, m.getParameterCount(), m + " would let a caller choose the seed");
            }
        }
        for (Constructor<?> c : Sampler.class.getDeclaredConstructors()) {
            assertFalse(Modifier.isPublic(c.getModifiers()), "Sampler must only be built by SecretRandom or Prng");
        }
    }

    @Test
    void noPublicApiTakesAPublicSeededStream() throws IOException, URISyntaxException {
        Path root = Path.of(KeyShare.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offenders = new ArrayList<>();
        int classes = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type;
                try {
                    type = Class.forName(name, false, getClass().getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(e);
                }
                classes++;
                List<Executable> api = new ArrayList<>(List.of(type.getConstructors()));
                api.addAll(List.of(type.getMethods()));
                for (Executable e : api) {
                    for (Class<?> p : e.getParameterTypes()) {
                        if (p == Prng.class) {
                            offenders.add(e.toString());
                        }
                    }
                }
            }
        }
        assertTrue(classes > 40, "scanned only " + classes + " classes under " + root);
        assertTrue(offenders.isEmpty(), "public API taking a Prng (use SecretRandom for secrets): " + offenders);
    }
}
