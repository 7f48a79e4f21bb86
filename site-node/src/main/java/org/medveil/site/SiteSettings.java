package org.medveil.site;

import org.medveil.governance.config.ConfigException;

/**
 * The {@code settings:} section of a site kit's {@code medveil.yaml}; every field optional.
 *
 * @param reconnectInitialMillis first wait after losing the coordinator; doubles per failed attempt
 * @param reconnectMaxMillis     longest wait between attempts
 * @param coordinator            overrides the kit's coordinator address (HOST:PORT), e.g. behind a proxy
 */
public record SiteSettings(Integer reconnectInitialMillis, Integer reconnectMaxMillis, String coordinator) {

    public static final SiteSettings DEFAULTS = new SiteSettings(null, null, null);

    public SiteSettings {
        reconnectInitialMillis = atLeast(reconnectInitialMillis, 500, 10, "reconnectInitialMillis");
        reconnectMaxMillis = atLeast(reconnectMaxMillis, 30_000, reconnectInitialMillis, "reconnectMaxMillis");
    }

    public SiteSettings withCoordinator(String address) {
        return new SiteSettings(reconnectInitialMillis, reconnectMaxMillis, address);
    }

    public SiteSettings withBackoff(int initialMillis, int maxMillis) {
        return new SiteSettings(initialMillis, maxMillis, coordinator);
    }

    private static Integer atLeast(Integer value, int dflt, int min, String field) {
        if (value == null) {
            return dflt;
        }
        if (value < min) {
            throw new ConfigException("settings." + field + " must be at least " + min + ", was " + value);
        }
        return value;
    }
}
