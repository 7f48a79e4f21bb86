package org.medveil.site.store;

import org.junit.jupiter.api.Test;
import org.medveil.governance.consent.PatientPseudonymizer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The keyed lookup hashes ingest writes and label import reads. */
class LookupKeysTest {

    private static final byte[] KEY = new byte[32];

    static {
        Arrays.fill(KEY, (byte) 7);
    }

    @Test
    void isHmacSha256OverDomainLabelZeroAndStrippedValue() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        mac.update("medveil-sop-instance-uid-v1\0".getBytes(StandardCharsets.US_ASCII));
        String expected = HexFormat.of().formatHex(mac.doFinal("1.2.3.4".getBytes(StandardCharsets.UTF_8)));
        LookupKeys k = new LookupKeys(KEY);
        assertEquals(expected, k.sopKey("1.2.3.4"));
        assertEquals(expected, k.sopKey("1.2.3.4 "), "DICOM padding is stripped");
    }

    @Test
    void domainsAndKeysSeparate() {
        LookupKeys k = new LookupKeys(KEY);
        assertNotEquals(k.sopKey("12345"), k.accessionKey("12345"));
        assertNotEquals(k.sopKey("12345"), new PatientPseudonymizer(KEY).pseudonym("12345").hex());
        byte[] other = KEY.clone();
        other[0] ^= 1;
        assertNotEquals(k.sopKey("12345"), new LookupKeys(other).sopKey("12345"));
        assertNull(k.accessionKey(" "), "a blank value has no key");
        assertNull(k.sopKey(null));
        assertThrows(IllegalArgumentException.class, () -> new LookupKeys(new byte[16]));
    }
}
