package org.medveil.governance.policy;

import org.medveil.governance.pki.Role;

import java.util.Objects;

/** An approval given by a person (certificate name and role), e.g. of a destruction request. */
public record Approval(String user, Role role) {
    public Approval {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
    }
}
