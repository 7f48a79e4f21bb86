package org.medveil.site.store;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The keyed hashes the index holds instead of an original's SOP Instance UID and accession
 * number ({@code objects.sop_key}, {@code objects.accession_key}): HMAC-SHA256 under
 * {@link SiteKeystore#pseudonymKey()} over a domain label and the value (stripped of DICOM's
 * padding spaces), as 64 lower-case hex digits. Ingest writes them and label import looks them
 * up, so both must use this one class. The value itself is never stored or logged.
 */
public final class LookupKeys {

    static final String SOP_DOMAIN = "medveil-sop-instance-uid-v1";
    static final String ACCESSION_DOMAIN = "medveil-accession-number-v1";

    private final SecretKeySpec key;

    public LookupKeys(byte[] pseudonymKey) {
        if (pseudonymKey == null || pseudonymKey.length < 32) {
            throw new IllegalArgumentException("the pseudonym key must be at least 32 bytes");
        }
        this.key = new SecretKeySpec(pseudonymKey.clone(), "HmacSHA256");
    }

    public static LookupKeys of(SiteKeystore keystore) {
        return new LookupKeys(keystore.pseudonymKey());
    }

    /** Keyed hash of a SOP Instance UID (0008,0018). */
    public String sopKey(String uid) {
        return hash(SOP_DOMAIN, uid);
    }

    /** Keyed hash of an accession number (0008,0050). */
    public String accessionKey(String accession) {
        return hash(ACCESSION_DOMAIN, accession);
    }

    private String hash(String domain, String value) {
        if (value == null || value.strip().isEmpty()) {
            throw new IllegalArgumentException("empty value for " + domain);
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
