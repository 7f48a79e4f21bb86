package org.medveil.coordinator;

import org.medveil.governance.config.ConfigException;

/**
 * The {@code settings:} section of a coordinator kit's {@code medveil.yaml}. Every field is
 * optional; absent fields take the defaults below.
 *
 * @param listen                 address to bind, HOST:PORT; default 0.0.0.0 and the port of the kit's coordinator address
 * @param heartbeatSeconds       interval the coordinator asks sites to send heartbeats at
 * @param heartbeatMisses        heartbeats a site may miss before its session is closed as stale
 * @param crlCheckSeconds        how often the CRL file is checked for changes
 * @param stateDir               where the coordinator keeps its state (the site registry): relative to
 *                               the kit folder, or absolute (so the kit can be mounted read-only)
 * @param refusalLogSeconds      after a refusal is logged, further refusals of the same certificate
 *                               (or handshake failures of the same kind from the same address) are
 *                               counted and summarised once per this many seconds
 * @param database               JDBC URL of the coordinator store: default an embedded SQLite file
 *                               {@code coordinator.db} in the state folder; or {@code jdbc:postgresql://...}
 * @param jobDecisionSeconds     how long sites have to answer a job offer before it closes with the answers it has
 */
public record CoordinatorSettings(String listen, Integer heartbeatSeconds, Integer heartbeatMisses,
                                  Integer crlCheckSeconds, String stateDir, Integer refusalLogSeconds,
                                  String database, Integer jobDecisionSeconds) {

    public static final CoordinatorSettings DEFAULTS = new CoordinatorSettings(null, 5, 3, 5, "state", 60, null, 600);

    public CoordinatorSettings {
        heartbeatSeconds = positive(heartbeatSeconds, 5, "heartbeatSeconds");
        heartbeatMisses = positive(heartbeatMisses, 3, "heartbeatMisses");
        crlCheckSeconds = positive(crlCheckSeconds, 5, "crlCheckSeconds");
        stateDir = stateDir == null ? "state" : stateDir;
        refusalLogSeconds = positive(refusalLogSeconds, 60, "refusalLogSeconds");
        jobDecisionSeconds = positive(jobDecisionSeconds, 600, "jobDecisionSeconds");
        if (database != null && !database.startsWith("jdbc:sqlite:") && !database.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("settings.database must be a jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB URL,"
                    + " was '" + database.replaceAll("password=[^&]*", "password=...") + "'");
        }
    }

    public CoordinatorSettings withDatabase(String url) {
        return new CoordinatorSettings(listen, heartbeatSeconds, heartbeatMisses, crlCheckSeconds, stateDir,
                refusalLogSeconds, url, jobDecisionSeconds);
    }

    public CoordinatorSettings withJobDecisionSeconds(int seconds) {
        return new CoordinatorSettings(listen, heartbeatSeconds, heartbeatMisses, crlCheckSeconds, stateDir,
                refusalLogSeconds, database, seconds);
    }

    public CoordinatorSettings withListen(String address) {
        return new CoordinatorSettings(address, heartbeatSeconds, heartbeatMisses, crlCheckSeconds, stateDir,
                refusalLogSeconds, database, jobDecisionSeconds);
    }

    public CoordinatorSettings withHeartbeatSeconds(int seconds) {
        return new CoordinatorSettings(listen, seconds, heartbeatMisses, crlCheckSeconds, stateDir, refusalLogSeconds,
                database, jobDecisionSeconds);
    }

    public CoordinatorSettings withStateDir(String dir) {
        return new CoordinatorSettings(listen, heartbeatSeconds, heartbeatMisses, crlCheckSeconds, dir, refusalLogSeconds,
                database, jobDecisionSeconds);
    }

    public CoordinatorSettings withCrlCheckSeconds(int seconds) {
        return new CoordinatorSettings(listen, heartbeatSeconds, heartbeatMisses, seconds, stateDir, refusalLogSeconds,
                database, jobDecisionSeconds);
    }

    private static Integer positive(Integer value, int dflt, String field) {
        if (value == null) {
            return dflt;
        }
        if (value < 1) {
            throw new ConfigException("settings." + field + " must be at least 1, was " + value);
        }
        return value;
    }
}
