package org.medveil.coordinator.web;

import java.util.EnumSet;
import java.util.Set;
import org.medveil.governance.pki.Role;

/**
 * What each role may see and do in the console. It follows the admin API's {@code AccessPolicy}:
 * jobs (and their manifests) for project admins, researchers and compliance officers; sites for
 * every role; aborting only for project admins (the console offers no per-job exception).
 */
public enum ConsoleAccess {
    JOBS(EnumSet.of(Role.PROJECT_ADMIN, Role.RESEARCHER, Role.COMPLIANCE_OFFICER)),
    MANIFESTS(EnumSet.of(Role.PROJECT_ADMIN, Role.RESEARCHER, Role.COMPLIANCE_OFFICER)),
    SITES(EnumSet.allOf(Role.class)),
    ABORT(EnumSet.of(Role.PROJECT_ADMIN));

    private final Set<Role> roles;

    ConsoleAccess(Set<Role> roles) {
        this.roles = roles;
    }

    public boolean allows(Role role) {
        return role != null && roles.contains(role);
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
