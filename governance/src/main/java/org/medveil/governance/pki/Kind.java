package org.medveil.governance.pki;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a certificate's holder is: the coordinator, a hospital's site node, or a person. */
public enum Kind {
    COORDINATOR("coordinator"),
    SITE("site"),
    USER("user");

    private final String id;

    Kind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Kind fromId(String id) {
        for (Kind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new PkiException("unknown kind '" + id + "'; expected one of "
                + Arrays.stream(values()).map(Kind::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
