package org.medveil.governance.manifest;

import org.medveil.governance.files.DurableFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File names of a manifest folder: {@code round-000001.json} (canonical bytes),
 * {@code round-000001.sig} (coordinator's DER ECDSA signature), {@code round-000001.site-NAME.sig}
 * (a site's countersignature over the same bytes), {@code coordinator.pem} and {@code site-NAME.pem}
 * (the signers' certificates, written once).
 */
public final class ManifestFiles {

    public static final String COORDINATOR_PEM = "coordinator.pem";
    static final Pattern ROUND_JSON = Pattern.compile("round-(\\d{6})\\.json");
    static final Pattern SITE_SIG = Pattern.compile("round-(\\d{6})\\.site-([a-z0-9][a-z0-9-]{0,62})\\.sig");

    private ManifestFiles() {
    }

    public static String json(int round) {
        return String.format("round-%06d.json", round);
    }

    public static String signature(int round) {
        return String.format("round-%06d.sig", round);
    }

    public static String countersignature(int round, String site) {
        return String.format("round-%06d.site-%s.sig", round, site);
    }

    public static String sitePem(String site) {
        return "site-" + site + ".pem";
    }

    /** The round number of a {@code round-NNNNNN.json} name, or -1. */
    public static int roundOf(String fileName) {
        Matcher m = ROUND_JSON.matcher(fileName);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Writes through a temporary file and an atomic rename, so a crash leaves the old file or the whole new one. */
    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        DurableFiles.replace(file, bytes);
    }
}
