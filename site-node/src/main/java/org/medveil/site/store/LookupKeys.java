package org.medveil.site.store;

import org.medveil.governance.consent.PatientPseudonymizer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The keyed hashes the index holds instead of identifying values: an original's SOP Instance UID
 * and accession number ({@code objects.sop_key}, {@code objects.accession_key}), an inbox path
 * (provenance; file names can name patients) and the patient pseudonym of the consent registry.
 * HMAC-SHA256 under {@link SiteKeystore#pseudonymKey()} over a domain label, a 0x00 byte and the
 * value stripped of DICOM's padding spaces, as 64 lower-case hex digits. Ingest writes them and
 * label import, consent and destruction requests look them up, so every part of the site node
 * uses this one class. The value itself is never stored or logged.
 */
public final class LookupKeys {

    static final String SOP_DOMAIN = "medveil-sop-instance-uid-v1";
    static final String ACCESSION_DOMAIN = "medveil-accession-number-v1";
    static final String INBOX_PATH_DOMAIN = "medveil-inbox-path-v1";

    private final SecretKeySpec key;
    private final PatientPseudonymizer patients;

    /** @param pseudonymKey {@code SiteKeystore.pseudonymKey()}, at least 32 bytes; copied */
    public LookupKeys(byte[] pseudonymKey) {
        if (pseudonymKey == null || pseudonymKey.length < 32) {
            throw new IllegalArgumentException("the pseudonym key must be at least 32 bytes");
        }
        this.key = new SecretKeySpec(pseudonymKey.clone(), "HmacSHA256");
        this.patients = new PatientPseudonymizer(pseudonymKey);
    }

    public static LookupKeys of(SiteKeystore keystore) {
        return new LookupKeys(keystore.pseudonymKey());
    }

    /** Keyed hash of a SOP Instance UID (0008,0018), or null when it is absent or blank. */
    public String sopKey(String uid) {
        return hash(SOP_DOMAIN, uid);
    }

    /** Keyed hash of an accession number (0008,0050), or null when it is absent or blank. */
    public String accessionKey(String accession) {
        return hash(ACCESSION_DOMAIN, accession);
    }

    /** Keyed hash of a path relative to the inbox, or null when blank. */
    public String inboxPathKey(String relativePath) {
        return hash(INBOX_PATH_DOMAIN, relativePath);
    }

    /** The patient's pseudonym as the consent registry keys it (governance {@link PatientPseudonymizer}). */
    public String patient(String patientId) {
        return patients.pseudonym(patientId).hex();
    }

    private String hash(String domain, String value) {
        if (value == null || value.strip().isEmpty()) {
            return null;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256"); // not thread-safe: one per call
            mac.init(key);
            mac.update(domain.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(value.strip().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    @Override
    public String toString() {
        return "LookupKeys[HmacSHA256, key hidden]";
    }
}
