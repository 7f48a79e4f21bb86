package org.medveil.governance.pki;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who a certificate names, as carried in its subject alternative name URI:
 * {@code medveil://PROJECT/site/NAME}, {@code medveil://PROJECT/coordinator/NAME} or
 * {@code medveil://PROJECT/user/ROLE/NAME}. The URI is the only authoritative source of a
 * peer's identity; message fields never are.
 */
public record Identity(String project, String name, Kind kind, Role role) {

    public static final String SCHEME = "medveil";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public Identity {
        checkName("project", project);
        checkName(kind + " name", name);
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.USER) != (role != null)) {
            throw new PkiException(kind == Kind.USER
                    ? "user '" + name + "' needs a role: one of " + Role.allIds()
                    : kind + " '" + name + "' cannot have a role");
        }
    }

    public static Identity site(String project, String name) {
        return new Identity(project, name, Kind.SITE, null);
    }

    public static Identity user(String project, String name, Role role) {
        return new Identity(project, name, Kind.USER, role);
    }

    public static Identity coordinator(String project) {
        return new Identity(project, "coordinator", Kind.COORDINATOR, null);
    }

    public static void checkName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new PkiException(what + " '" + value + "' is not valid: use 1-63 lower-case letters, digits"
                    + " and '-', starting with a letter or digit");
        }
    }

    public URI toUri() {
        String path = kind == Kind.USER ? "/user/" + role.id() + "/" + name : "/" + kind.id() + "/" + name;
        return URI.create(SCHEME + "://" + project + path);
    }

    /** Parses a MedVeil identity URI; returns null when the URI is not one (other SAN entries). */
    public static Identity parse(String uri) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!SCHEME.equals(u.getScheme()) || u.getHost() == null || u.getPath() == null) {
            return null;
        }
        String[] parts = u.getPath().substring(1).split("/");
        Kind kind = Kind.fromId(parts[0]);
        if (kind == Kind.USER) {
            if (parts.length != 3) {
                throw new PkiException("malformed user identity URI " + uri + "; expected medveil://PROJECT/user/ROLE/NAME");
            }
            return user(u.getHost(), parts[2], Role.fromId(parts[1]));
        }
        if (parts.length != 2) {
            throw new PkiException("malformed identity URI " + uri + "; expected medveil://PROJECT/" + kind.id() + "/NAME");
        }
        return new Identity(u.getHost(), parts[1], kind, null);
    }

    /** "site hospital-a", "user alice (researcher)" — for logs and messages. */
    public String describe() {
        return kind == Kind.USER ? "user " + name + " (" + role.id() + ")" : kind.id() + " " + name;
    }
}
