package org.medveil.site.node;

import org.medveil.governance.consent.PatientPseudonymizer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Keyed hashes (HMAC-SHA256 under the keystore's pseudonym key) that let the index find an object
 * by a value it must not hold in clear: the original's SOP Instance UID ({@code objects.sop_key}),
 * its Accession Number ({@code objects.accession_key}) and the patient ID (the consent registry's
 * key, through governance {@link PatientPseudonymizer} so a consent import with the same key
 * matches). Each kind of value has its own domain label, so equal strings of different kinds
 * never give the same key. Values are stripped of DICOM space padding first.
 */
public final class LookupKeys {

    private static final byte[] SOP = "medveil/sop-instance-uid/v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACCESSION = "medveil/accession-number/v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INBOX_PATH = "medveil/inbox-path/v1\0".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final PatientPseudonymizer patients;

    /** @param pseudonymKey {@code SiteKeystore.pseudonymKey()}, at least 32 bytes; copied */
    public LookupKeys(byte[] pseudonymKey) {
        this.patients = new PatientPseudonymizer(pseudonymKey);
        this.key = new SecretKeySpec(Arrays.copyOf(pseudonymKey, pseudonymKey.length), "HmacSHA256");
    }

    /** Key of an original SOP Instance UID, or null when there is none. */
    public String sop(String sopInstanceUid) {
        return keyed(SOP, sopInstanceUid);
    }

    /** Key of an Accession Number, or null when it is absent or blank. */
    public String accession(String accessionNumber) {
        return keyed(ACCESSION, accessionNumber);
    }

    /** Key of a path relative to the inbox (file names can carry PHI; the index gets this instead). */
    public String inboxPath(String relativePath) {
        return keyed(INBOX_PATH, relativePath);
    }

    /** The patient's pseudonym, as the consent registry keys it. */
    public String patient(String patientId) {
        return patients.pseudonym(patientId).hex();
    }

    private String keyed(byte[] domain, String value) {
        if (value == null || value.strip().isEmpty()) {
            return null;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(domain);
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
