package org.medveil.proto.transfer;

import java.util.regex.Pattern;

/**
 * The rule for object names: segments of letters, digits, '.', '_' and '-' separated by '/',
 * none of them "." or "..", at most 512 characters. Safe as a relative file path.
 */
public final class ObjectNames {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    private ObjectNames() {
    }

    /** Returns {@code name} if it is valid, else throws PROTOCOL saying what is wrong. */
    public static String check(String name) throws TransferException {
        if (name == null || name.isEmpty() || name.length() > 512) {
            throw new TransferException(TransferException.Reason.PROTOCOL,
                    "object name must be 1 to 512 characters, got " + (name == null ? "none" : name.length()));
        }
        for (String s : name.split("/", -1)) {
            if (!SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..")) {
                throw new TransferException(TransferException.Reason.PROTOCOL,
                        "object name '" + name + "' is not segments of [A-Za-z0-9._-] separated by '/'");
            }
        }
        return name;
    }
}
