package org.medveil.site.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The literal content of {@code site.yaml}, bound strictly by {@code YamlFiles} (unknown field,
 * wrong type → error naming field and line). Value checks that need no other file happen in the
 * record constructors, so the error still points at the section's line; {@link SiteConfig#load}
 * then resolves paths and loads the de-identification profile.
 */
public record SiteConfigFile(String inbox, Scp scp, Ingest ingest, Deid deid, Store store, Archive archive,
                             Backup backup, List<AutoApproval> autoApprove, Admin admin, Destruction destruction,
                             Training training) {

    /** Local training: {@code modelsDir} holds the TorchScript files this site's IT approved for jobs. */
    public record Training(String modelsDir) {}

    /** C-STORE SCP; TLS uses the site kit's certificate and CA. */
    public record Scp(Boolean enabled, String aeTitle, String bindAddress, Integer port, List<String> allowedCallingAes,
                      List<String> allowedHosts, Boolean tls, String tlsTrust) {
        public Scp {
            if (aeTitle != null && (aeTitle.isBlank() || aeTitle.length() > 16)) {
                throw bad("aeTitle", "must be 1 to 16 characters, got " + aeTitle.length());
            }
            if (port != null && (port < 1 || port > 65535)) {
                throw bad("port", "must be between 1 and 65535, got " + port);
            }
        }
    }

    /** Minimum-necessary ingest profile (REQ-ACQ-1); an empty or absent list accepts any value. */
    public record Ingest(List<String> modalities, List<String> bodyParts, List<String> sopClasses,
                         List<String> refuseSeriesDescriptions, List<String> acceptSeriesDescriptions,
                         Boolean refuseWithoutConsent, Integer quietMillis, Integer rescanSeconds) {
        public Ingest {
            if (quietMillis != null && (quietMillis < 100 || quietMillis > 600_000)) {
                throw bad("quietMillis", "must be between 100 and 600000, got " + quietMillis);
            }
            if (rescanSeconds != null && (rescanSeconds < 1 || rescanSeconds > 3600)) {
                throw bad("rescanSeconds", "must be between 1 and 3600, got " + rescanSeconds);
            }
        }
    }

    /** De-identification of the derivative: profile name or file, and the project substitution key. */
    public record Deid(String profile, String projectKey) {}

    /** Encrypted store: folders, keystore and cipher suite. */
    public record Store(String dataFolder, String keyFolder, String keystore, String keystorePassword,
                        CipherSuite cipher) {}

    /** Archive policy: objects older than {@code afterDays} move to the archive. */
    public record Archive(Integer afterDays) {
        public Archive {
            if (afterDays != null && afterDays < 1) {
                throw bad("afterDays", "must be at least 1, got " + afterDays);
            }
        }
    }

    /** Backup policy: where, how often ({@code hourly}, {@code daily}, {@code weekly}, {@code every N hours|days}) and how many sets to keep. */
    public record Backup(String destination, String schedule, Integer keep) {}

    /** The local admin API (operator commands): loopback address and port. */
    /** Destruction: {@code secondPerson} makes every destruction need two different data managers (REQ-DEL-2). */
    public record Destruction(Boolean secondPerson) {}

    public record Admin(String bindAddress, Integer port) {
        public Admin {
            if (port != null && (port < 1 || port > 65535)) {
                throw bad("port", "must be between 1 and 65535, got " + port);
            }
        }
    }

    /** A use request matching purpose, dataset and at most this grade is approved without a data manager. */
    public record AutoApproval(String purpose, Integer maxGrade, List<String> datasets) {
        public AutoApproval {
            if (purpose == null || purpose.isBlank()) {
                throw bad("purpose", "is required");
            }
            if (maxGrade == null || maxGrade < 1 || maxGrade > 3) {
                throw bad("maxGrade", "must be 1, 2 or 3 (grade 4-5 objects are never used for joint modeling), got "
                        + maxGrade);
            }
            if (datasets == null || datasets.isEmpty()) {
                throw bad("datasets", "must list at least one dataset");
            }
        }
    }

    /** Cipher suite of the store's envelope encryption. */
    public enum CipherSuite {
        @JsonProperty("aes-256-gcm") AES_256_GCM,
        @JsonProperty("sm4-gcm") SM4_GCM
    }

    /** An invalid value; the message starts with the field so {@link SiteConfig#load} can name it in full. */
    static IllegalArgumentException bad(String field, String what) {
        return new IllegalArgumentException(field + "\u0000" + what);
    }
}
