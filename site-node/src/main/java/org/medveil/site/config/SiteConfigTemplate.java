package org.medveil.site.config;

import org.medveil.governance.config.ConfigException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a commented example {@code site.yaml} (and the Basic de-identification profile it names,
 * {@code deid/basic.yaml}) into a new site folder. Never replaces an existing file: an operator's
 * edited config is not lost to a second {@code site init}.
 */
public final class SiteConfigTemplate {

    private SiteConfigTemplate() {}

    /**
     * @param dir     the site folder (created when missing)
     * @param aeTitle the SCP's AE title (1-16 characters)
     * @param port    the SCP's port
     * @return the written {@code site.yaml}
     */
    public static Path write(Path dir, String aeTitle, int port) {
        if (aeTitle == null || !aeTitle.matches("[A-Za-z0-9_ -]{1,16}")) {
            throw new ConfigException("AE title must be 1 to 16 letters, digits, '_', '-' or spaces, got '" + aeTitle + "'");
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException("port must be between 1 and 65535, got " + port);
        }
        Path site = dir.resolve(SiteConfig.FILE);
        try {
            Files.createDirectories(dir.resolve("deid"));
            create(dir.resolve("deid").resolve("basic.yaml"), BASIC_PROFILE);
            create(site, TEMPLATE.replace("@AE@", aeTitle).replace("@PORT@", Integer.toString(port)));
        } catch (FileAlreadyExistsException e) {
            throw new ConfigException(e.getFile() + " already exists; not replaced (edit it, or choose an empty folder)", e);
        } catch (IOException e) {
            throw new ConfigException("cannot write the example config into " + dir + ": " + e.getMessage(), e);
        }
        return site;
    }

    private static void create(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private static final String BASIC_PROFILE = """
            # PS3.15 Annex E Basic Application Level Confidentiality Profile, no options.
            # Table 2: masking, null insertion and substitution fit low availability / high confidentiality.
            name: basic
            scenario:
              availability: low
              confidentiality: high
            options: []
            """;

    private static final String TEMPLATE = """
            # MedVeil site node configuration. Relative paths are resolved against this file's folder.
            # Unknown fields are errors (the message names the field and the line).

            # Folder watched for incoming DICOM files. A file is taken once its size and time have been
            # stable for ingest.quietMillis; hidden files and *.part are ignored until renamed. A file
            # leaves the inbox only after the store has made it durable; a refused one moves to
            # inbox/.refused/ with a .reason.txt next to it.
            inbox: inbox

            # DICOM C-STORE receiver. Success is answered only after the object is durable.
            scp:
              enabled: true
              aeTitle: @AE@
              bindAddress: 0.0.0.0
              port: @PORT@
              allowedCallingAes: []      # e.g. [CT01, MR02]; empty accepts any calling AE
              allowedHosts: []           # e.g. [10.1.2.3]; empty accepts any host
              tls: false                 # true: TLS with the site kit's certificate, client certificates required
              # tlsTrust: modalities-ca.pem  # with tls: the CA certificates senders' client certificates chain to

            # Minimum necessary (REQ-ACQ-1): everything outside these lists is refused and the refusal recorded.
            # An empty list accepts any value.
            ingest:
              modalities: [CT, MR]
              bodyParts: []              # e.g. [CHEST, ABDOMEN]
              sopClasses: []             # SOP Class UIDs, e.g. 1.2.840.10008.5.1.4.1.1.2
              refuseSeriesDescriptions: [scout, localizer]   # keywords, case-insensitive
              acceptSeriesDescriptions: []                   # when not empty, one keyword must match
              refuseWithoutConsent: false  # false: stored, but never selectable without consent (REQ-ACQ-3)
              quietMillis: 2000
              rescanSeconds: 30

            # De-identification of the derivative kept for joint modeling; checked against Table 2 at load.
            deid:
              profile: basic             # deid/basic.yaml next to this file, or a path to a profile file
              projectKey: file:keys/project.key   # 32 bytes (or 64 hex); or env:NAME

            # Encrypted store. The keystore lives outside the data folder.
            store:
              dataFolder: data
              keyFolder: keys
              keystore: keys/site.p12
              keystorePassword: env:MEDVEIL_KEYSTORE_PASSWORD   # or file:keys/keystore.pass
              cipher: aes-256-gcm        # or sm4-gcm (national suite)

            archive:
              afterDays: 365             # objects older than this move to compressed, encrypted archives

            backup:
              destination: backup        # a folder, e.g. a mounted backup volume
              schedule: daily            # hourly, daily, weekly, or "every N hours|days"; the first set at start-up
              keep: 7                    # older sets are deleted

            # Destruction (site destroy, consent withdrawal): true = two different data managers approve.
            destruction:
              secondPerson: false

            # Local training. A job with a TorchScript model (engine torch) runs only a file placed in this
            # folder by the site's IT, and only when its SHA-256 is the one the signed job names.
            # training:
            #   modelsDir: models

            # Local admin API used by every 'medveil site ...' operator command (mTLS with user kits).
            admin:
              bindAddress: 127.0.0.1     # loopback: only operators on this host reach it
              port: 8444

            # Use requests matching a rule are approved without a data manager (maxGrade 1-3).
            autoApprove:
              - purpose: research
                maxGrade: 2
                datasets: [chest-ct]
            """;
}
