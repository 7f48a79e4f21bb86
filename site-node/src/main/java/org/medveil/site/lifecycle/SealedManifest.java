package org.medveil.site.lifecycle;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.medveil.site.store.SiteKeystore;
import org.medveil.site.store.StoreException;

/**
 * The integrity manifest of a backup set or an archive: {@code manifest.json} (format, id, time,
 * suite, the set's own key wrapped by the site master key, dataset roots, every file with size and
 * SHA-256) and {@code manifest.mac}, the HMAC-SHA256 of the exact manifest bytes under a key
 * derived from the set key. So checking a set needs the site keystore, and nobody without it can
 * alter a file and fix the manifest to match.
 */
final class SealedManifest {

    static final String FILE = "manifest.json";
    static final String MAC_FILE = "manifest.mac";
    private static final HexFormat HEX = HexFormat.of();
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** One file of the set: path relative to the set folder (with '/'), size, SHA-256; object id and plaintext digest for object copies. */
    record Entry(String path, long size, String sha256, String objectId, String objectDigest) {
    }

    /** What the manifest says. {@code wrappedKey} is base64 of the set key wrapped for {@code "medveil-" + format + ":" + id}. */
    record Body(String format, String id, String createdAt, String suite, String wrappedKey,
                Map<String, String> datasetRoots, List<Entry> files) {
    }

    private SealedManifest() {
    }

    static String keyContext(String format, String id) {
        return "medveil-" + format + ":" + id;
    }

    /** Writes manifest.json and manifest.mac into {@code dir} (each temp file, fsync, rename). */
    static void write(Path dir, Body body, byte[] setKey) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        Files2.writeDurably(dir.resolve(FILE), bytes);
        Files2.writeDurably(dir.resolve(MAC_FILE), (HEX.formatHex(mac(setKey, bytes)) + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** A manifest read and checked: its body and set key, or the problem that stopped the check. */
    record Opened(Body body, byte[] setKey, String problem) {
    }

    /** Reads the manifest of {@code dir}, unwraps its key with {@code keystore} and checks the MAC. */
    static Opened open(Path dir, String format, SiteKeystore keystore) {
        byte[] bytes;
        Body body;
        try {
            bytes = Files.readAllBytes(dir.resolve(FILE));
            body = JSON.readValue(bytes, Body.class);
        } catch (IOException e) {
            return new Opened(null, null, FILE + " is missing or unreadable: " + e.getMessage());
        }
        if (!format.equals(body.format()) || body.id() == null || body.wrappedKey() == null || body.files() == null) {
            return new Opened(null, null, FILE + " is not a " + format + " manifest");
        }
        byte[] key;
        try {
            key = keystore.unwrapKey(Base64.getDecoder().decode(body.wrappedKey()), keyContext(format, body.id()));
        } catch (StoreException | IllegalArgumentException e) {
            return new Opened(null, null, FILE + ": its key does not open with this site's keystore (another site's "
                    + format + ", or the manifest was altered)");
        }
        String want;
        try {
            want = Files.readString(dir.resolve(MAC_FILE), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return new Opened(null, null, MAC_FILE + " is missing or unreadable: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(want.getBytes(StandardCharsets.US_ASCII),
                HEX.formatHex(mac(key, bytes)).getBytes(StandardCharsets.US_ASCII))) {
            return new Opened(null, null, FILE + " was altered: its MAC does not match " + MAC_FILE);
        }
        return new Opened(body, key, null);
    }

    /** Compares the files under {@code dir} with the manifest: adds altered, missing and extra paths. */
    static void checkFiles(Path dir, Body body, List<String> altered, List<String> missing, List<String> extra) {
        Set<String> listed = new TreeSet<>();
        for (Entry e : body.files()) {
            listed.add(e.path());
            Path p = dir.resolve(e.path());
            if (!Files.isRegularFile(p)) {
                missing.add(e.path());
                continue;
            }
            try {
                if (Files.size(p) != e.size() || !sha256(p).equals(e.sha256())) {
                    altered.add(e.path());
                }
            } catch (IOException ex) {
                altered.add(e.path() + " (unreadable: " + ex.getMessage() + ")");
            }
        }
        listed.add(FILE);
        listed.add(MAC_FILE);
        for (String rel : relativeFiles(dir)) {
            if (!listed.contains(rel)) {
                extra.add(rel);
            }
        }
    }

    /** Every regular file under {@code dir} as a '/'-separated relative path, sorted. */
    static List<String> relativeFiles(Path dir) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).sorted()
                    .forEach(p -> out.add(dir.relativize(p).toString().replace('\\', '/')));
        } catch (IOException e) {
            throw new LifecycleException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    static Entry entry(Path dir, Path file, String objectId, String objectDigest) throws IOException {
        return new Entry(dir.relativize(file).toString().replace('\\', '/'), Files.size(file), sha256(file),
                objectId, objectDigest);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HEX.formatHex(md.digest());
    }

    static String sha256(byte[] b) {
        return HEX.formatHex(sha256().digest(b));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] mac(byte[] setKey, byte[] message) {
        try {
            Mac derive = Mac.getInstance("HmacSHA256");
            derive.init(new SecretKeySpec(setKey, "HmacSHA256"));
            byte[] macKey = derive.doFinal("medveil-manifest-mac".getBytes(StandardCharsets.US_ASCII));
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(macKey, "HmacSHA256"));
            return m.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

}
