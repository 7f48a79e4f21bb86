package org.medveil.cli;

import java.util.Map;

/** How the user ran this command, for hints that print a command to type next. */
final class Invocation {

    /** Set by the {@code medveil} launcher script to the name it was run as (e.g. {@code ./medveil}). */
    static final String LAUNCHER_ENV = "MEDVEIL_LAUNCHER";

    private Invocation() {
    }

    static String command() {
        return command(System.getenv());
    }

    static String command(Map<String, String> env) {
        String launcher = env.get(LAUNCHER_ENV);
        // Only a plain path is echoed back: anything else would make a hint that cannot be pasted.
        return launcher != null && launcher.matches("[A-Za-z0-9._/+-]+") ? launcher : "medveil";
    }
}
