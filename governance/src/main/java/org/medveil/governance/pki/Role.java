package org.medveil.governance.pki;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The role of a user certificate (REQ-USE-3). Sites and the coordinator carry no role. */
public enum Role {
    PROJECT_ADMIN("project-admin"),
    RESEARCHER("researcher"),
    DATA_MANAGER("data-manager"),
    COMPLIANCE_OFFICER("compliance-officer");

    private final String id;

    Role(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Role fromId(String id) {
        for (Role r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new PkiException("unknown role '" + id + "'; expected one of " + allIds());
    }

    public static String allIds() {
        return Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
