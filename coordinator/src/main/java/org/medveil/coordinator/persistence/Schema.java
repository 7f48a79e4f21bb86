package org.medveil.coordinator.persistence;

import java.util.List;

/**
 * The coordinator store's versioned migrations. One schema for SQLite and PostgreSQL: plain
 * types only, {@code {blob}} becomes BLOB or BYTEA. Instants are ISO-8601 text (exact, and
 * readable by an operator with {@code sqlite3}/{@code psql}). A migration once released is never
 * edited; changes go into a new version.
 */
final class Schema {

    private Schema() {
    }

    static final List<String> V1 = List.of(
            """
            CREATE TABLE jobs (
              job_id TEXT PRIMARY KEY,
              signed_job {blob} NOT NULL,
              signature {blob} NOT NULL,
              researcher_cert {blob} NOT NULL,
              spec_digest TEXT NOT NULL,
              submitted TEXT NOT NULL,
              state TEXT NOT NULL,
              state_reason TEXT,
              state_changed TEXT NOT NULL
            )""",
            """
            CREATE TABLE job_sites (
              job_id TEXT NOT NULL REFERENCES jobs(job_id),
              site TEXT NOT NULL,
              accepted INTEGER NOT NULL,
              reason TEXT,
              cert_fingerprint TEXT,
              data_descriptor TEXT,
              decided TEXT NOT NULL,
              PRIMARY KEY (job_id, site)
            )""",
            """
            CREATE TABLE job_keys (
              job_id TEXT PRIMARY KEY REFERENCES jobs(job_id),
              public_key {blob} NOT NULL,
              key_id TEXT NOT NULL,
              threshold INTEGER NOT NULL
            )""",
            """
            CREATE TABLE job_key_holders (
              job_id TEXT NOT NULL REFERENCES job_keys(job_id),
              position INTEGER NOT NULL,
              holder TEXT NOT NULL,
              PRIMARY KEY (job_id, position)
            )""",
            """
            CREATE TABLE rounds (
              job_id TEXT NOT NULL REFERENCES jobs(job_id),
              round_no INTEGER NOT NULL,
              attempt INTEGER NOT NULL,
              state TEXT NOT NULL,
              model_in TEXT NOT NULL,
              model_out TEXT,
              strategy_state TEXT,
              metrics TEXT,
              failure TEXT,
              started TEXT NOT NULL,
              finished TEXT,
              PRIMARY KEY (job_id, round_no)
            )""",
            """
            CREATE TABLE contributions (
              job_id TEXT NOT NULL,
              round_no INTEGER NOT NULL,
              attempt INTEGER NOT NULL,
              site TEXT NOT NULL,
              chunks INTEGER NOT NULL,
              digest TEXT NOT NULL,
              signed_records {blob} NOT NULL,
              samples BIGINT,
              PRIMARY KEY (job_id, round_no, attempt, site),
              FOREIGN KEY (job_id, round_no) REFERENCES rounds(job_id, round_no)
            )""",
            // the primary key is what makes "ask for a decryption once" durable
            """
            CREATE TABLE decryptions (
              job_id TEXT NOT NULL,
              round_no INTEGER NOT NULL,
              attempt INTEGER NOT NULL,
              chunk INTEGER NOT NULL,
              reserved TEXT NOT NULL,
              PRIMARY KEY (job_id, round_no, attempt, chunk),
              FOREIGN KEY (job_id, round_no) REFERENCES rounds(job_id, round_no)
            )""",
            """
            CREATE TABLE manifests (
              job_id TEXT NOT NULL REFERENCES jobs(job_id),
              round_no INTEGER NOT NULL,
              digest TEXT NOT NULL UNIQUE,
              canonical {blob} NOT NULL,
              signature {blob} NOT NULL,
              PRIMARY KEY (job_id, round_no)
            )""");

    /** Version 2: the sites' answers to countersignature requests (a signature, or a refusal and its reason). */
    static final List<String> V2 = List.of(
            """
            CREATE TABLE manifest_countersignatures (
              job_id TEXT NOT NULL,
              round_no INTEGER NOT NULL,
              site TEXT NOT NULL,
              signature {blob},
              certificate {blob},
              refusal TEXT,
              received TEXT NOT NULL,
              PRIMARY KEY (job_id, round_no, site),
              FOREIGN KEY (job_id, round_no) REFERENCES manifests(job_id, round_no)
            )""");

    /**
     * Version 3: how long each phase of a round attempt took, as the coordinator saw it (for the
     * web console's timeline). Times only; no site data.
     */
    static final List<String> V3 = List.of(
            """
            CREATE TABLE round_phases (
              job_id TEXT NOT NULL,
              round_no INTEGER NOT NULL,
              attempt INTEGER NOT NULL,
              phase TEXT NOT NULL,
              started TEXT NOT NULL,
              finished TEXT NOT NULL,
              PRIMARY KEY (job_id, round_no, attempt, phase)
            )""");

    /** Index = version - 1. */
    static final List<List<String>> MIGRATIONS = List.of(V1, V2, V3);

    static int latest() {
        return MIGRATIONS.size();
    }
}
