package org.medveil.coordinator.persistence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFilesTest {

    @TempDir
    Path tmp;

    @Test
    void filesAreNamedByTheirSha256AndReadBack() throws Exception {
        ModelFiles f = ModelFiles.open(tmp.resolve("models"));
        byte[] content = "parameters".getBytes(StandardCharsets.UTF_8);
        String d = f.write(content);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), d);
        assertEquals(d, f.write(content), "same content, same file");
        assertArrayEquals(content, f.read(d));
        try (InputStream in = f.open(d)) {
            assertArrayEquals(content, in.readAllBytes());
        }
        assertTrue(f.exists(d));
        assertFalse(f.exists("0".repeat(64)));
        float[] v = new float[70_000]; // more than one buffer
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i) * 1e3f;
        }
        v[3] = Float.NaN;
        v[4] = -0.0f;
        String dv = f.writeFloats(v);
        assertArrayEquals(v, f.readFloats(dv));
        assertEquals(4L * v.length, Files.size(f.path(dv)));
        try (var list = Files.list(f.dir())) {
            assertEquals(2, list.count(), "no temporary files stay");
        }
    }

    @Test
    void aDamagedFileIsRefused() throws Exception {
        ModelFiles f = ModelFiles.open(tmp.resolve("models"));
        String d = f.writeFloats(new float[]{1, 2, 3});
        Path p = f.path(d);
        byte[] bytes = Files.readAllBytes(p);
        bytes[5] ^= 1;
        Files.write(p, bytes);
        IOException e = assertThrows(IOException.class, () -> f.read(d));
        assertTrue(e.getMessage().contains("is damaged"), e.getMessage());
        assertThrows(IOException.class, () -> f.readFloats(d));
        assertThrows(IOException.class, () -> {
            try (InputStream in = f.open(d)) {
                in.readAllBytes();
            }
        });
        IOException missing = assertThrows(IOException.class, () -> f.read("a".repeat(64)));
        assertTrue(missing.getMessage().contains("no model file"), missing.getMessage());
        assertThrows(IOException.class, () -> f.read("../../etc/passwd"));
    }

    @Test
    void leftoverTemporaryFilesAreRemovedAtOpen() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Files.write(dir.resolve(".tmp-123"), new byte[]{1});
        ModelFiles.open(dir);
        assertFalse(Files.exists(dir.resolve(".tmp-123")));
    }
}
