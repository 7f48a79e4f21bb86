package org.medveil.governance.consent;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Turns a patient ID into a {@link PatientPseudonym} with HMAC-SHA256 under the site's secret key
 * (REQ-ACQ-3: the consent registry is keyed by a keyed hash, never the ID in clear). A plain hash
 * would not do: patient IDs are short and guessable, so anyone could hash every candidate.
 *
 * <p>The ID is stripped of leading and trailing spaces first, because DICOM pads LO values
 * (Patient ID 0010,0020) with spaces and the same patient must get the same pseudonym from a CSV
 * file and from a DICOM header. The input is prefixed with a fixed domain label so that the same
 * key used for another keyed hash never yields the same values. The patient ID is never stored,
 * logged or put into an exception message here.
 */
public final class PatientPseudonymizer {

    /** Minimum key length: 256 bits, the HMAC-SHA256 output size. */
    public static final int MIN_KEY_BYTES = 32;

    private static final byte[] DOMAIN = "medveil/patient-pseudonym/v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    /** @param siteKey the site's secret key, at least 32 bytes; copied */
    public PatientPseudonymizer(byte[] siteKey) {
        if (siteKey == null || siteKey.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the site pseudonym key must be at least " + MIN_KEY_BYTES
                    + " bytes (256 bits); generate one with: head -c 32 /dev/urandom > site-pseudonym.key");
        }
        this.key = new SecretKeySpec(Arrays.copyOf(siteKey, siteKey.length), ALGORITHM);
    }

    /** The pseudonym of {@code patientId}; the ID must not be blank. */
    public PatientPseudonym pseudonym(String patientId) {
        if (patientId == null || patientId.strip().isEmpty()) {
            throw new IllegalArgumentException("patient ID is empty");
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM); // Mac is not thread-safe; one per call is cheap
            mac.init(key);
            mac.update(DOMAIN);
            return new PatientPseudonym(HexFormat.of().formatHex(
                    mac.doFinal(patientId.strip().getBytes(StandardCharsets.UTF_8))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    @Override
    public String toString() {
        return "PatientPseudonymizer[HmacSHA256, key hidden]";
    }
}
