package org.medveil.site.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.config.YamlFiles;
import org.medveil.governance.deid.DeidProfiles;
import org.medveil.governance.deid.LoadedProfile;
import org.medveil.governance.strategy.StrategyDecision;
import org.medveil.governance.strategy.StrategyViolationException;
import org.medveil.site.config.SiteConfigFile.CipherSuite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A site's {@code site.yaml} after validation: every path absolute (relative ones resolved
 * against the config file's folder), the de-identification profile loaded and checked against
 * Table 2, secrets named by their source only. {@link #load} refuses anything doubtful with a
 * message naming the file, the field and (for YAML errors and value checks) the line.
 * {@code modelsDir} (null when not configured) holds the TorchScript files the site's IT approved;
 * jobs name them by file name and digest.
 */
public record SiteConfig(Path file, Path inbox, ScpSettings scp, IngestProfile ingest, int quietMillis,
                         int rescanSeconds, LoadedProfile deidProfile, StrategyDecision deidDecision,
                         SecretSource projectKey, StoreSettings store, int archiveAfterDays, BackupPolicy backup,
                         List<SiteConfigFile.AutoApproval> autoApprove, AdminSettings admin,
                         boolean secondPersonForDestruction, Path modelsDir) {

    /** File name the node looks for in its site folder. */
    public static final String FILE = "site.yaml";

    /** C-STORE SCP settings; {@code tls} means: the site kit's certificate, client certificates required. */
    public record ScpSettings(boolean enabled, String aeTitle, String bindAddress, int port,
                              Set<String> allowedCallingAes, Set<String> allowedHosts, boolean tls, Path tlsTrust) {}

    /** Where the encrypted store lives; the keystore must lie outside the data folder (REQ-STO-1). */
    public record StoreSettings(Path dataFolder, Path keyFolder, Path keystore, SecretSource keystorePassword,
                                CipherSuite cipher) {}

    /**
     * The local admin API: where it listens (loopback by default, so only operators on this host
     * reach it; mTLS with user kits in any case).
     */
    public record AdminSettings(String bindAddress, int port) {
        public static final int DEFAULT_PORT = 8444;
        public static final AdminSettings DEFAULTS = new AdminSettings("127.0.0.1", DEFAULT_PORT);
    }

    /**
     * Backup destination, interval and number of sets kept; destination and interval are null when
     * no scheduled backup is configured ({@code medveil site backup} still works).
     */
    public record BackupPolicy(Path destination, java.time.Duration interval, int keep) {}

    /** {@code hourly}, {@code daily}, {@code weekly} or {@code every N hours|days}. */
    static java.time.Duration backupInterval(String schedule, String src) {
        String s = schedule.strip().toLowerCase(java.util.Locale.ROOT);
        switch (s) {
            case "hourly": return java.time.Duration.ofHours(1);
            case "daily": return java.time.Duration.ofDays(1);
            case "weekly": return java.time.Duration.ofDays(7);
            default:
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("every (\\d{1,4}) (hours?|days?)").matcher(s);
        if (m.matches() && Integer.parseInt(m.group(1)) > 0) {
            int n = Integer.parseInt(m.group(1));
            return m.group(2).startsWith("hour") ? java.time.Duration.ofHours(n) : java.time.Duration.ofDays(n);
        }
        throw new ConfigException(src + ": field 'backup.schedule' must be hourly, daily, weekly or 'every N hours|days',"
                + " got '" + schedule + "'");
    }

    public static SiteConfig load(Path file) {
        SiteConfigFile f = read(file);
        Path base = file.toAbsolutePath().normalize().getParent();
        String src = file.toString();
        Path inbox = path(base, required(f.inbox(), src, "inbox"));

        SiteConfigFile.Scp s = f.scp() == null ? new SiteConfigFile.Scp(false, null, null, null, null, null, null, null) : f.scp();
        boolean scpOn = Boolean.TRUE.equals(s.enabled());
        if (scpOn && (s.aeTitle() == null || s.port() == null)) {
            throw new ConfigException(src + ": fields 'scp.aeTitle' and 'scp.port' are required when scp.enabled is true");
        }
        ScpSettings scp = new ScpSettings(scpOn, s.aeTitle(), s.bindAddress() == null ? "0.0.0.0" : s.bindAddress(),
                s.port() == null ? 0 : s.port(), set(s.allowedCallingAes()), set(s.allowedHosts()),
                Boolean.TRUE.equals(s.tls()), s.tlsTrust() == null ? null : path(base, s.tlsTrust()));
        if (scp.tls() && scp.tlsTrust() == null) {
            throw new ConfigException(src + ": field 'scp.tls' is true but 'scp.tlsTrust' is missing: name a PEM file"
                    + " with the CA certificates your modalities' client certificates chain to");
        }
        if (scp.tlsTrust() != null && !java.nio.file.Files.isRegularFile(scp.tlsTrust())) {
            throw new ConfigException(src + ": field 'scp.tlsTrust' names " + scp.tlsTrust() + ", which does not exist");
        }

        SiteConfigFile.Ingest i = f.ingest() == null
                ? new SiteConfigFile.Ingest(null, null, null, null, null, null, null, null) : f.ingest();
        IngestProfile profile = new IngestProfile(set(i.modalities()), set(i.bodyParts()), set(i.sopClasses()),
                list(i.refuseSeriesDescriptions()), list(i.acceptSeriesDescriptions()),
                Boolean.TRUE.equals(i.refuseWithoutConsent()));

        if (f.deid() == null) {
            throw new ConfigException(src + ": section 'deid' is required (profile: NAME or FILE, projectKey: file:PATH or env:NAME)");
        }
        Path profileFile = profileFile(base, required(f.deid().profile(), src, "deid.profile"), src);
        DeidProfiles profiles = DeidProfiles.standard();
        LoadedProfile deid;
        StrategyDecision decision;
        try {
            deid = profiles.load(profileFile);
            decision = profiles.check(deid);
        } catch (StrategyViolationException e) {
            throw new ConfigException(src + ": field 'deid.profile': " + e.getMessage(), e);
        }
        SecretSource projectKey = secret(f.deid().projectKey(), base, src, "deid.projectKey");

        if (f.store() == null) {
            throw new ConfigException(src + ": section 'store' is required (dataFolder, keyFolder, keystore, keystorePassword)");
        }
        SiteConfigFile.Store st = f.store();
        Path data = path(base, required(st.dataFolder(), src, "store.dataFolder"));
        Path keys = path(base, required(st.keyFolder(), src, "store.keyFolder"));
        Path keystore = path(base, required(st.keystore(), src, "store.keystore"));
        if (keystore.startsWith(data) || keys.startsWith(data)) {
            throw new ConfigException(src + ": field 'store.keystore'/'store.keyFolder' lies inside store.dataFolder; "
                    + "keep the keys outside the data folder so a copy of the data alone is unreadable");
        }
        if (!keys.equals(keystore.getParent())) {
            throw new ConfigException(src + ": field 'store.keyFolder' (" + keys + ") must be the folder that holds"
                    + " 'store.keystore' (" + keystore + "): the data-key database keys.db lives beside the keystore");
        }
        if (inbox.startsWith(data) || data.startsWith(inbox)) {
            throw new ConfigException(src + ": fields 'inbox' and 'store.dataFolder' overlap; use separate folders");
        }
        StoreSettings store = new StoreSettings(data, keys, keystore,
                secret(st.keystorePassword(), base, src, "store.keystorePassword"),
                st.cipher() == null ? CipherSuite.AES_256_GCM : st.cipher());

        int archiveDays = f.archive() == null || f.archive().afterDays() == null ? 0 : f.archive().afterDays();
        BackupPolicy backup = new BackupPolicy(null, null, 7);
        if (f.backup() != null) {
            var b = f.backup();
            if ((b.destination() == null) != (b.schedule() == null)) {
                throw new ConfigException(src + ": section 'backup' needs both 'destination' and 'schedule'"
                        + " (or neither, for manual backups only)");
            }
            int keep = b.keep() == null ? 7 : b.keep();
            if (keep < 1) {
                throw new ConfigException(src + ": field 'backup.keep' must be at least 1, got " + keep);
            }
            backup = b.destination() == null ? new BackupPolicy(null, null, keep)
                    : new BackupPolicy(path(base, b.destination()), backupInterval(b.schedule(), src), keep);
            if (backup.destination() != null && (backup.destination().startsWith(data) || backup.destination().startsWith(keys))) {
                throw new ConfigException(src + ": field 'backup.destination' lies inside store.dataFolder or"
                        + " store.keyFolder; put backups on another volume (a backup never holds data keys)");
            }
        }
        return new SiteConfig(file.toAbsolutePath().normalize(), inbox, scp, profile,
                i.quietMillis() == null ? 2000 : i.quietMillis(), i.rescanSeconds() == null ? 30 : i.rescanSeconds(),
                deid, decision, projectKey, store, archiveDays, backup,
                f.autoApprove() == null ? List.of() : List.copyOf(f.autoApprove()),
                f.admin() == null ? AdminSettings.DEFAULTS : new AdminSettings(
                        f.admin().bindAddress() == null ? "127.0.0.1" : f.admin().bindAddress(),
                        f.admin().port() == null ? AdminSettings.DEFAULT_PORT : f.admin().port()),
                f.destruction() != null && Boolean.TRUE.equals(f.destruction().secondPerson()),
                f.training() == null || f.training().modelsDir() == null ? null : path(base, f.training().modelsDir()));
    }

    /**
     * Strict binding. Jackson reports record errors at the end of the enclosing section, so the
     * line is looked up again by the field's path; a value check in a section's constructor becomes
     * "FILE line N: field 'SECTION.FIELD' ...".
     */
    private static SiteConfigFile read(Path file) {
        try {
            return YamlFiles.read(file, SiteConfigFile.class);
        } catch (ConfigException e) {
            if (!(e.getCause() instanceof JsonMappingException m)) {
                throw e;
            }
            List<String> path = new ArrayList<>();
            m.getPath().forEach(r -> path.add(r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex())));
            String message = e.getMessage();
            if (m instanceof ValueInstantiationException && m.getCause() instanceof IllegalArgumentException a
                    && a.getMessage() != null && a.getMessage().contains("\u0000")) {
                String[] parts = a.getMessage().split("\u0000", 2);
                path.add(parts[0]);
                message = file + " line 0: field '" + dotted(path) + "' " + parts[1];
            }
            int line = fieldLine(file, path);
            if (line > 0) {
                message = message.replaceFirst("^(\\Q" + file + "\\E) line \\d+:", "$1 line " + line + ":");
            }
            throw new ConfigException(message.replace(file + " line 0:", file + ":"), e);
        }
    }

    private static String dotted(List<String> path) {
        return String.join(".", path).replaceAll("\\.(\\d+)(?=\\.|$)", "[$1]");
    }

    /** Line of the key at {@code path} (field names, list indexes as numbers), or 0 when not found. */
    static int fieldLine(Path file, List<String> path) {
        String pointer = "/" + String.join("/", path);
        try (JsonParser p = new YAMLFactory().createParser(file.toFile())) {
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME
                        && p.getParsingContext().pathAsPointer().toString().equals(pointer)) {
                    return p.currentTokenLocation().getLineNr();
                }
            }
        } catch (IOException e) {
            return 0; // the binding error is reported anyway, only without a better line
        }
        return 0;
    }

    private static String required(String v, String src, String field) {
        if (v == null || v.isBlank()) {
            throw new ConfigException(src + ": field '" + field + "' is required");
        }
        return v;
    }

    private static SecretSource secret(String spec, Path base, String src, String field) {
        try {
            return SecretSource.parse(required(spec, src, field), base, field);
        } catch (ConfigException e) {
            throw e.getMessage().startsWith(src) ? e : new ConfigException(src + ": " + e.getMessage(), e);
        }
    }

    /** A bare name means {@code deid/NAME.yaml} next to site.yaml; anything else is a file path. */
    private static Path profileFile(Path base, String v, String src) {
        Path p = v.matches("[A-Za-z0-9_-]+") ? base.resolve("deid").resolve(v + ".yaml") : path(base, v);
        if (!Files.isRegularFile(p)) {
            throw new ConfigException(src + ": field 'deid.profile': no profile file " + p
                    + " (a bare name stands for deid/NAME.yaml next to site.yaml)");
        }
        return p;
    }

    private static Path path(Path base, String v) {
        return base.resolve(v).normalize();
    }

    private static Set<String> set(List<String> l) {
        return l == null ? Set.of() : Set.copyOf(l);
    }

    private static List<String> list(List<String> l) {
        return l == null ? List.of() : List.copyOf(l);
    }

}
