package org.medveil.governance.pki;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code DIR/project.yaml} of a provisioning folder: the project's settings and every
 * certificate issued, so that later {@code add-site}, {@code revoke} and {@code renew} commands
 * know what exists. It holds no secret.
 */
public record ProjectRecord(String project, String coordinator, List<String> hostNames, int validityDays,
                            List<Participant> participants) {

    public static final String FILE = "project.yaml";

    public ProjectRecord {
        hostNames = hostNames == null ? List.of() : List.copyOf(hostNames);
        participants = participants == null ? new ArrayList<>() : new ArrayList<>(participants);
    }

    /** One issued certificate. Renewal adds a new entry for the same name and marks the old one superseded. */
    public record Participant(String name, String kind, String role, String kit, String serial,
                              String fingerprint, String notAfter, String status) {
        public static final String ACTIVE = "active";
        public static final String REVOKED = "revoked";
        public static final String SUPERSEDED = "superseded";

        Participant withStatus(String s) {
            return new Participant(name, kind, role, kit, serial, fingerprint, notAfter, s);
        }
    }
}
