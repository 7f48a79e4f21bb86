package org.medveil.governance.pki;

import java.util.List;

/**
 * What {@code medveil provision init --config FILE} reads: the project, where the coordinator
 * will listen, how long certificates live, and the initial sites and users.
 *
 * <pre>
 * project: lung-nodules
 * coordinator: coordinator.example.org:8443
 * hostNames: [fl.example.org]      # extra names on the coordinator's certificate
 * validityDays: 365
 * sites: [hospital-a, hospital-b]
 * users:
 *   - {name: alice, role: project-admin}
 *   - {name: bob, role: researcher}
 * </pre>
 */
public record ProjectSpec(String project, String coordinator, List<String> hostNames, Integer validityDays,
                          List<String> sites, List<User> users) {

    public static final int DEFAULT_VALIDITY_DAYS = 365;

    public record User(String name, String role) {
    }

    public ProjectSpec {
        hostNames = hostNames == null ? List.of() : List.copyOf(hostNames);
        sites = sites == null ? List.of() : List.copyOf(sites);
        users = users == null ? List.of() : List.copyOf(users);
        if (validityDays != null && validityDays < 1) {
            throw new PkiException("validityDays must be at least 1, was " + validityDays);
        }
    }

    public int validity() {
        return validityDays == null ? DEFAULT_VALIDITY_DAYS : validityDays;
    }
}
