package org.medveil.governance.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medveil.governance.audit.DestructionCertificate.Approval;
import org.medveil.governance.audit.DestructionCertificate.DestroyedObject;
import org.medveil.governance.audit.DestructionCertificate.Method;
import org.medveil.governance.audit.DestructionCertificate.Statement;

/**
 * Destruction certificates moved from sorted Jackson output to RFC 8785 ({@code Jcs}); for their
 * content the signed bytes must not change, or certificates issued before would stop verifying.
 */
class DestructionCertificateBytesTest {

    @Test
    void jcsBytesEqualTheSortedJacksonBytesCertificatesWereSignedOverBefore() throws Exception {
        ObjectMapper before = JsonMapper.builder().enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
        Statement s = new Statement("destroy-1", "hospital-a", "2026-12-02T20:00:00.123456Z", "patient",
                "p-3f2a9c", List.of(new DestroyedObject("obj-1", "a".repeat(64)), new DestroyedObject("obj-2", "b".repeat(64))),
                new Method(2, 2, List.of("live store", "backups", "archives"),
                        "data keys destroyed; files overwritten — café \"quoted\" \\ / tab\there"),
                List.of(new Approval("c".repeat(64), "data-manager", 3), new Approval("d".repeat(64), "data-manager", 4)), 5);
        assertArrayEquals(before.writeValueAsBytes(s), DestructionCertificate.canonical(s));
        assertArrayEquals(before.writeValueAsBytes(s.objects()),
                org.medveil.governance.canonical.Jcs.canonicalize(s.objects()));
    }
}
