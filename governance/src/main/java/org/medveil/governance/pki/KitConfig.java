package org.medveil.governance.pki;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code medveil.yaml} of a startup kit: who the holder is, where the coordinator is, which
 * files hold the credentials (relative to the kit folder), and a {@code settings} section that
 * the daemon using the kit binds itself (coordinator or site node). Every kit carries the
 * project CRL: the coordinator checks sites and users against it, sites and users check the
 * coordinator.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KitConfig(
        String project,
        String name,
        String kind,
        String role,
        String coordinator,
        String certificate,
        String privateKey,
        String caCertificate,
        String crl,
        JsonNode settings) {

    public static final String FILE = "medveil.yaml";
    public static final String CERT = "cert.pem";
    public static final String KEY = "key.pem";
    public static final String CA = "ca.pem";
    public static final String CRL = "crl.pem";

    public static KitConfig forIdentity(Identity id, String coordinator) {
        return new KitConfig(id.project(), id.name(), id.kind().id(), id.role() == null ? null : id.role().id(),
                coordinator, CERT, KEY, CA, CRL, null);
    }
}
