package org.medveil.coordinator.persistence;

import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The coordinator's durable state: jobs, the sites' decisions, job keys, rounds and their
 * attempts, contribution records, decryption reservations and round manifests. SQLite by default
 * ({@code jdbc:sqlite:PATH}: WAL, {@code synchronous=FULL}, so a method that returned survives
 * {@code kill -9} and power loss), or PostgreSQL ({@code jdbc:postgresql://HOST:PORT/DB}) with
 * the same schema and the same behaviour. Plain JDBC over one connection; every method is one
 * transaction and the store is safe to share between threads.
 *
 * <p>Nothing secret and no PHI goes in: signed jobs, certificates, public keys, digests,
 * signatures, signed contribution records and aggregated metrics only. Model parameters live in
 * {@link ModelFiles}, referenced here by digest.
 *
 * <p>Rounds have attempts: a round in flight when the coordinator died is started again with
 * {@link #startRound} (or {@link #clearRoundAttempt}), which gives it a new attempt number and
 * drops the old attempt's contributions, so it runs on fresh encryptions.
 * {@link #reserveDecryption} answers true once per (job, round, attempt, chunk), and only for the
 * round's current attempt, so a restarted coordinator never asks key holders twice for the same
 * ciphertext.
 */
public final class CoordinatorStore implements AutoCloseable {

    /** A submitted job as the researcher signed it, with its current state. */
    public record Job(String jobId, byte[] signedJob, byte[] signature, byte[] researcherCertDer, String specDigest,
                      Instant submitted, JobState state, String stateReason, Instant stateChanged) {
    }

    /** A site's answer to a job offer; the data descriptor is the site's non-identifying summary (JSON). */
    public record SiteDecision(String jobId, String site, boolean accepted, String reason,
                               String certificateFingerprint, String dataDescriptorJson, Instant decided) {
    }

    /** The job's collective public key and who holds threshold shares, in share order. */
    public record JobKey(String jobId, byte[] publicKeyWire, String keyId, int threshold, List<String> holders) {
    }

    /**
     * One round's current attempt. {@code strategyStateDigest} names the {@link ModelFiles} entry
     * holding the server strategy's state after this round (null for stateless strategies).
     */
    public record Round(String jobId, int round, int attempt, RoundState state, String modelInDigest,
                        String modelOutDigest, String strategyStateDigest, String metricsJson, String failure,
                        Instant started, Instant finished) {
    }

    /**
     * A site's complete upload in one round attempt: number of chunks, digest of the ciphertext,
     * the site's signed contribution records, and its sample count when the site discloses it
     * (null when the count travels only inside the encrypted update).
     */
    public record Contribution(String jobId, int round, int attempt, String site, int chunks, String digest,
                               byte[] signedRecords, Long samples) {
    }

    /** A signed round manifest: canonical JSON bytes and the coordinator's detached signature. */
    public record Manifest(String jobId, int round, String digest, byte[] canonicalBytes, byte[] signature) {
    }

    /**
     * A site's answer to a countersignature request for manifest {@code round}: its DER signature
     * over the manifest's canonical bytes and its certificate, or (both null) the reason it refused.
     */
    public record Countersignature(String jobId, int round, String site, byte[] signature, byte[] certificateDer,
                                   String refusal, Instant received) {
    }

    private final Connection connection;
    private final String name;
    private final boolean postgres;
    private boolean closed;

    private CoordinatorStore(Connection connection, String name, boolean postgres) {
        this.connection = connection;
        this.name = name;
        this.postgres = postgres;
    }

    /** Opens (creating or migrating) the store at a JDBC URL: {@code jdbc:sqlite:PATH} or {@code jdbc:postgresql://...}. */
    public static CoordinatorStore open(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        String name = describe(jdbcUrl);
        Connection c;
        boolean postgres;
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            c = openSqlite(jdbcUrl, name);
            postgres = false;
        } else if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            c = openPostgres(jdbcUrl, name);
            postgres = true;
        } else {
            throw new StoreException("unsupported coordinator database URL '" + name
                    + "': use jdbc:sqlite:PATH (the default) or jdbc:postgresql://HOST:PORT/DATABASE");
        }
        CoordinatorStore store = new CoordinatorStore(c, name, postgres);
        try {
            store.migrate();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** Opens the SQLite store in a file. */
    public static CoordinatorStore open(Path sqliteFile) {
        return open("jdbc:sqlite:" + sqliteFile);
    }

    /** The URL without credentials or options, for messages. */
    static String describe(String url) {
        String s = url;
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        int at = s.indexOf('@');
        int scheme = s.indexOf("//");
        if (at >= 0 && scheme >= 0 && at > scheme) {
            s = s.substring(0, scheme + 2) + s.substring(at + 1);
        }
        return s;
    }

    private static Connection openSqlite(String url, String name) {
        String file = url.substring("jdbc:sqlite:".length());
        if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
            throw new StoreException("coordinator database '" + name + "' is not a file: use jdbc:sqlite:PATH with a "
                    + "file path, so the state survives a restart");
        }
        Path parent = Path.of(file).toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new StoreException("cannot open coordinator database " + file + ": folder " + parent
                    + " does not exist; create it or give another --db path");
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(30_000);
        config.enforceForeignKeys(true);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE); // writers queue up instead of deadlocking
        try {
            return DriverManager.getConnection(url, config.toProperties());
        } catch (SQLException e) {
            throw new StoreException("cannot open coordinator database " + file + ": " + e.getMessage()
                    + "; check that the path is a writable SQLite file", e);
        }
    }

    private static Connection openPostgres(String url, String name) {
        Properties p = new Properties();
        p.setProperty("connectTimeout", "10");
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String what = state.startsWith("08")
                    ? "cannot reach the PostgreSQL server at " + name + ": " + e.getMessage()
                    + "; check that it runs and that host and port in --db are right"
                    : "cannot open the PostgreSQL database " + name + ": " + e.getMessage()
                    + "; check the database name, user and password in --db";
            throw new StoreException(what, e);
        }
    }

    private void migrate() {
        tx("prepare the schema", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)");
                if (postgres) {
                    s.execute("LOCK TABLE schema_version IN EXCLUSIVE MODE"); // two coordinators starting at once
                }
                int current = 0;
                try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                    if (rs.next()) {
                        current = rs.getInt(1);
                    }
                }
                if (current > Schema.latest()) {
                    throw new StoreException("coordinator database " + name + " has schema version " + current
                            + ", newer than this build of MedVeil understands (up to " + Schema.latest()
                            + "): run the MedVeil version that wrote it, or a newer one");
                }
                for (int v = current + 1; v <= Schema.latest(); v++) {
                    for (String ddl : Schema.MIGRATIONS.get(v - 1)) {
                        s.execute(ddl.replace("{blob}", postgres ? "BYTEA" : "BLOB"));
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version (version, applied) VALUES (?, ?)")) {
                        ps.setInt(1, v);
                        ps.setString(2, Instant.now().toString());
                        ps.executeUpdate();
                    }
                }
            }
            return null;
        });
    }

    /** The schema version of the open database. */
    public int schemaVersion() {
        return tx("read the schema version", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /** The database named without credentials, e.g. {@code jdbc:sqlite:/var/lib/medveil/coordinator.db}. */
    public String name() {
        return name;
    }

    // ---- jobs

    /**
     * Records a submitted job (state SUBMITTED). Inserting the same job again with the same bytes
     * is a no-op (a retry after a crash); different bytes under an existing id are refused.
     */
    public void insertJob(String jobId, byte[] signedJob, byte[] signature, byte[] researcherCertDer, String specDigest,
                          Instant submitted) {
        tx("record job " + jobId, c -> {
            Optional<Job> existing = job(c, jobId);
            if (existing.isPresent()) {
                Job j = existing.get();
                if (Arrays.equals(j.signedJob(), signedJob) && Arrays.equals(j.signature(), signature)
                        && Arrays.equals(j.researcherCertDer(), researcherCertDer) && j.specDigest().equals(specDigest)) {
                    return null;
                }
                throw new StoreException("job " + jobId + " already exists in " + name
                        + " with a different signed job; submit under a new job id");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jobs (job_id, signed_job, signature, researcher_cert,"
                    + " spec_digest, submitted, state, state_reason, state_changed) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)")) {
                ps.setString(1, jobId);
                ps.setBytes(2, signedJob);
                ps.setBytes(3, signature);
                ps.setBytes(4, researcherCertDer);
                ps.setString(5, specDigest);
                ps.setString(6, submitted.toString());
                ps.setString(7, JobState.SUBMITTED.name());
                ps.setString(8, submitted.toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Moves a job to a state; a job in a final state (completed, failed, aborted) stays there. */
    public void setJobState(String jobId, JobState state, String reason) {
        tx("set the state of job " + jobId, c -> {
            Job j = job(c, jobId).orElseThrow(() -> noJob(jobId));
            if (j.state().isFinal() && j.state() != state) {
                throw new StoreException("job " + jobId + " is already " + j.state() + " and cannot become " + state);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET state = ?, state_reason = ?, state_changed = ? WHERE job_id = ?")) {
                ps.setString(1, state.name());
                ps.setString(2, reason);
                ps.setString(3, Instant.now().toString());
                ps.setString(4, jobId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<Job> job(String jobId) {
        return tx("read job " + jobId, c -> job(c, jobId));
    }

    /** All jobs, oldest submission first. */
    public List<Job> jobs() {
        return tx("list jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jobs ORDER BY submitted, job_id")) {
                return list(ps, CoordinatorStore::jobRow);
            }
        });
    }

    private Optional<Job> job(Connection c, String jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jobs WHERE job_id = ?")) {
            ps.setString(1, jobId);
            return list(ps, CoordinatorStore::jobRow).stream().findFirst();
        }
    }

    private static Job jobRow(ResultSet rs) throws SQLException {
        return new Job(rs.getString("job_id"), rs.getBytes("signed_job"), rs.getBytes("signature"),
                rs.getBytes("researcher_cert"), rs.getString("spec_digest"), Instant.parse(rs.getString("submitted")),
                JobState.valueOf(rs.getString("state")), rs.getString("state_reason"),
                Instant.parse(rs.getString("state_changed")));
    }

    private StoreException noJob(String jobId) {
        return new StoreException("no job " + jobId + " in " + name + "; check the job id");
    }

    // ---- sites' decisions

    /** Records (or replaces) a site's decision on a job. */
    public void setSiteDecision(String jobId, String site, boolean accepted, String reason, String certificateFingerprint,
                                String dataDescriptorJson) {
        tx("record the decision of site " + site + " on job " + jobId, c -> {
            job(c, jobId).orElseThrow(() -> noJob(jobId));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO job_sites (job_id, site, accepted, reason,"
                    + " cert_fingerprint, data_descriptor, decided) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (job_id, site) DO UPDATE SET accepted = excluded.accepted, reason = excluded.reason,"
                    + " cert_fingerprint = excluded.cert_fingerprint, data_descriptor = excluded.data_descriptor,"
                    + " decided = excluded.decided")) {
                ps.setString(1, jobId);
                ps.setString(2, site);
                ps.setInt(3, accepted ? 1 : 0);
                ps.setString(4, reason);
                ps.setString(5, certificateFingerprint);
                ps.setString(6, dataDescriptorJson);
                ps.setString(7, Instant.now().toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The sites' decisions on a job, by site name. */
    public List<SiteDecision> siteDecisions(String jobId) {
        return tx("read the site decisions of job " + jobId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM job_sites WHERE job_id = ? ORDER BY site")) {
                ps.setString(1, jobId);
                return list(ps, rs -> new SiteDecision(rs.getString("job_id"), rs.getString("site"),
                        rs.getInt("accepted") != 0, rs.getString("reason"), rs.getString("cert_fingerprint"),
                        rs.getString("data_descriptor"), Instant.parse(rs.getString("decided"))));
            }
        });
    }

    // ---- keys

    /** Records the job's collective public key, once; saving the same key again is a no-op. */
    public void saveJobKey(String jobId, byte[] publicKeyWire, String keyId, int threshold, List<String> holders) {
        if (threshold < 1 || threshold > holders.size()) {
            throw new IllegalArgumentException("threshold " + threshold + " must be between 1 and the "
                    + holders.size() + " key holders");
        }
        tx("record the key of job " + jobId, c -> {
            job(c, jobId).orElseThrow(() -> noJob(jobId));
            Optional<JobKey> existing = jobKey(c, jobId);
            if (existing.isPresent()) {
                JobKey k = existing.get();
                if (Arrays.equals(k.publicKeyWire(), publicKeyWire) && k.keyId().equals(keyId)
                        && k.threshold() == threshold && k.holders().equals(holders)) {
                    return null;
                }
                throw new StoreException("job " + jobId + " already has key " + k.keyId() + " in " + name
                        + "; a job's key never changes, start a new job instead");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO job_keys (job_id, public_key, key_id, threshold) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, jobId);
                ps.setBytes(2, publicKeyWire);
                ps.setString(3, keyId);
                ps.setInt(4, threshold);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO job_key_holders (job_id, position, holder) VALUES (?, ?, ?)")) {
                for (int i = 0; i < holders.size(); i++) {
                    ps.setString(1, jobId);
                    ps.setInt(2, i);
                    ps.setString(3, holders.get(i));
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    public Optional<JobKey> jobKey(String jobId) {
        return tx("read the key of job " + jobId, c -> jobKey(c, jobId));
    }

    private Optional<JobKey> jobKey(Connection c, String jobId) throws SQLException {
        List<String> holders;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT holder FROM job_key_holders WHERE job_id = ? ORDER BY position")) {
            ps.setString(1, jobId);
            holders = list(ps, rs -> rs.getString(1));
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM job_keys WHERE job_id = ?")) {
            ps.setString(1, jobId);
            return list(ps, rs -> new JobKey(rs.getString("job_id"), rs.getBytes("public_key"), rs.getString("key_id"),
                    rs.getInt("threshold"), List.copyOf(holders))).stream().findFirst();
        }
    }

    // ---- rounds

    /**
     * Starts a round and returns its attempt number: 1 for a new round. For a round that exists
     * but did not complete (in flight when the coordinator died, or failed) this starts a new
     * attempt: the attempt number goes up, the old attempt's contributions are dropped and its
     * decryption reservations stay, so nothing of the old attempt is decrypted any more.
     * A completed round cannot be started again.
     */
    public int startRound(String jobId, int round, String modelInDigest, Instant started) {
        return tx("start round " + round + " of job " + jobId, c -> {
            job(c, jobId).orElseThrow(() -> noJob(jobId));
            Optional<Round> existing = round(c, jobId, round);
            if (existing.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO rounds (job_id, round_no, attempt, state,"
                        + " model_in, started) VALUES (?, ?, 1, ?, ?, ?)")) {
                    ps.setString(1, jobId);
                    ps.setInt(2, round);
                    ps.setString(3, RoundState.RUNNING.name());
                    ps.setString(4, modelInDigest);
                    ps.setString(5, started.toString());
                    ps.executeUpdate();
                }
                return 1;
            }
            return newAttempt(c, existing.get(), modelInDigest, started);
        });
    }

    /**
     * Starts a new attempt of an unfinished round with the same input model (what a restarted
     * coordinator does for the round it was in); returns the new attempt number.
     */
    public int clearRoundAttempt(String jobId, int round) {
        return tx("restart round " + round + " of job " + jobId, c -> {
            Round r = round(c, jobId, round).orElseThrow(() -> new StoreException("job " + jobId + " has no round "
                    + round + " in " + name + " to restart"));
            return newAttempt(c, r, r.modelInDigest(), Instant.now());
        });
    }

    private int newAttempt(Connection c, Round r, String modelInDigest, Instant started) throws SQLException {
        if (r.state() == RoundState.COMPLETED) {
            throw new StoreException("round " + r.round() + " of job " + r.jobId() + " is already completed in " + name
                    + "; start the next round instead");
        }
        int attempt = r.attempt() + 1;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM contributions WHERE job_id = ? AND round_no = ?")) {
            ps.setString(1, r.jobId());
            ps.setInt(2, r.round());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE rounds SET attempt = ?, state = ?, model_in = ?,"
                + " model_out = NULL, strategy_state = NULL, metrics = NULL, failure = NULL, started = ?, finished = NULL"
                + " WHERE job_id = ? AND round_no = ?")) {
            ps.setInt(1, attempt);
            ps.setString(2, RoundState.RUNNING.name());
            ps.setString(3, modelInDigest);
            ps.setString(4, started.toString());
            ps.setString(5, r.jobId());
            ps.setInt(6, r.round());
            ps.executeUpdate();
        }
        return attempt;
    }

    /**
     * Completes a round's attempt with the new model's digest, the strategy's state digest (null
     * when stateless) and the aggregated metrics. Refused for an attempt that is no longer current.
     */
    public void finishRound(String jobId, int round, int attempt, String modelOutDigest, String strategyStateDigest,
                            String metricsJson, Instant finished) {
        tx("finish round " + round + " of job " + jobId, c -> {
            finishRound(c, jobId, round, attempt, modelOutDigest, strategyStateDigest, metricsJson, finished);
            return null;
        });
    }

    /**
     * Completes a round and saves its signed manifest (numbered {@code manifestNumber}) in one
     * transaction: after a crash either both are there or neither, so a manifest never describes
     * a round that a restart then counts as failed (its successor's input model would not be the
     * manifest's output, and the chain would not verify).
     */
    public void completeRound(String jobId, int round, int attempt, String modelOutDigest, String strategyStateDigest,
                              String metricsJson, Instant finished, int manifestNumber, String manifestDigest,
                              byte[] canonicalBytes, byte[] signature) {
        tx("complete round " + round + " of job " + jobId + " with manifest " + manifestNumber, c -> {
            saveManifest(c, jobId, manifestNumber, manifestDigest, canonicalBytes, signature);
            finishRound(c, jobId, round, attempt, modelOutDigest, strategyStateDigest, metricsJson, finished);
            return null;
        });
    }

    private void finishRound(Connection c, String jobId, int round, int attempt, String modelOutDigest,
                             String strategyStateDigest, String metricsJson, Instant finished) throws SQLException {
        requireCurrent(c, jobId, round, attempt, "finish");
        try (PreparedStatement ps = c.prepareStatement("UPDATE rounds SET state = ?, model_out = ?, strategy_state = ?,"
                + " metrics = ?, finished = ? WHERE job_id = ? AND round_no = ?")) {
            ps.setString(1, RoundState.COMPLETED.name());
            ps.setString(2, modelOutDigest);
            ps.setString(3, strategyStateDigest);
            ps.setString(4, metricsJson);
            ps.setString(5, finished.toString());
            ps.setString(6, jobId);
            ps.setInt(7, round);
            ps.executeUpdate();
        }
    }

    /** Marks a round's current attempt failed (quorum not reached, timeout...); it may be started again. */
    public void failRound(String jobId, int round, int attempt, String reason, Instant finished) {
        tx("fail round " + round + " of job " + jobId, c -> {
            requireCurrent(c, jobId, round, attempt, "fail");
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE rounds SET state = ?, failure = ?, finished = ? WHERE job_id = ? AND round_no = ?")) {
                ps.setString(1, RoundState.FAILED.name());
                ps.setString(2, reason);
                ps.setString(3, finished.toString());
                ps.setString(4, jobId);
                ps.setInt(5, round);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private void requireCurrent(Connection c, String jobId, int round, int attempt, String verb) throws SQLException {
        Round r = round(c, jobId, round).orElseThrow(() -> new StoreException("job " + jobId + " has no round " + round
                + " in " + name));
        if (r.attempt() != attempt || r.state() != RoundState.RUNNING) {
            throw new StoreException("cannot " + verb + " attempt " + attempt + " of round " + round + " of job " + jobId
                    + ": the round is at attempt " + r.attempt() + " (" + r.state() + ")");
        }
    }

    public Optional<Round> round(String jobId, int round) {
        return tx("read round " + round + " of job " + jobId, c -> round(c, jobId, round));
    }

    /** The job's rounds in order. */
    public List<Round> rounds(String jobId) {
        return tx("read the rounds of job " + jobId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM rounds WHERE job_id = ? ORDER BY round_no")) {
                ps.setString(1, jobId);
                return list(ps, CoordinatorStore::roundRow);
            }
        });
    }

    /** The completed round with the highest number: where a restarted job resumes from. */
    public Optional<Round> lastCompletedRound(String jobId) {
        return tx("read the last round of job " + jobId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM rounds WHERE job_id = ? AND state = ?"
                    + " ORDER BY round_no DESC")) {
                ps.setString(1, jobId);
                ps.setString(2, RoundState.COMPLETED.name());
                return list(ps, CoordinatorStore::roundRow).stream().findFirst();
            }
        });
    }

    private Optional<Round> round(Connection c, String jobId, int round) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM rounds WHERE job_id = ? AND round_no = ?")) {
            ps.setString(1, jobId);
            ps.setInt(2, round);
            return list(ps, CoordinatorStore::roundRow).stream().findFirst();
        }
    }

    private static Round roundRow(ResultSet rs) throws SQLException {
        String finished = rs.getString("finished");
        return new Round(rs.getString("job_id"), rs.getInt("round_no"), rs.getInt("attempt"),
                RoundState.valueOf(rs.getString("state")), rs.getString("model_in"), rs.getString("model_out"),
                rs.getString("strategy_state"), rs.getString("metrics"), rs.getString("failure"),
                Instant.parse(rs.getString("started")), finished == null ? null : Instant.parse(finished));
    }

    // ---- contributions

    /**
     * Records a site's complete upload for the round's current attempt. The same record again is
     * a no-op; a different one for the same site and attempt, or one for an attempt that is no
     * longer current, is refused.
     */
    public void recordContribution(String jobId, int round, int attempt, String site, int chunks, String digest,
                                   byte[] signedRecords, Long samples) {
        tx("record the contribution of site " + site + " to round " + round + " of job " + jobId, c -> {
            requireCurrent(c, jobId, round, attempt, "record a contribution to");
            for (Contribution existing : contributions(c, jobId, round)) {
                if (existing.site().equals(site)) {
                    if (existing.chunks() == chunks && existing.digest().equals(digest)
                            && Arrays.equals(existing.signedRecords(), signedRecords)
                            && Objects.equals(existing.samples(), samples)) {
                        return null;
                    }
                    throw new StoreException("site " + site + " already has a different contribution to attempt "
                            + attempt + " of round " + round + " of job " + jobId);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO contributions (job_id, round_no, attempt, site,"
                    + " chunks, digest, signed_records, samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, jobId);
                ps.setInt(2, round);
                ps.setInt(3, attempt);
                ps.setString(4, site);
                ps.setInt(5, chunks);
                ps.setString(6, digest);
                ps.setBytes(7, signedRecords);
                if (samples == null) {
                    ps.setNull(8, Types.BIGINT);
                } else {
                    ps.setLong(8, samples);
                }
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The contributions to the round's current attempt, by site. */
    public List<Contribution> contributions(String jobId, int round) {
        return tx("read the contributions to round " + round + " of job " + jobId, c -> contributions(c, jobId, round));
    }

    private List<Contribution> contributions(Connection c, String jobId, int round) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT k.* FROM contributions k JOIN rounds r"
                + " ON r.job_id = k.job_id AND r.round_no = k.round_no AND r.attempt = k.attempt"
                + " WHERE k.job_id = ? AND k.round_no = ? ORDER BY k.site")) {
            ps.setString(1, jobId);
            ps.setInt(2, round);
            return list(ps, rs -> {
                long samples = rs.getLong("samples");
                Long s = rs.wasNull() ? null : samples;
                return new Contribution(rs.getString("job_id"), rs.getInt("round_no"), rs.getInt("attempt"),
                        rs.getString("site"), rs.getInt("chunks"), rs.getString("digest"), rs.getBytes("signed_records"), s);
            });
        }
    }

    // ---- decryptions

    /**
     * Reserves the right to ask the key holders to decrypt one chunk of a round attempt's
     * aggregate. True the first time for (job, round, attempt, chunk), durably, and only while
     * that attempt is the round's current, running one; false otherwise, also when another
     * connection or coordinator reserved it first. Ask the key holders only after true.
     */
    public boolean reserveDecryption(String jobId, int round, int attempt, int chunk) {
        return tx("reserve decryption of chunk " + chunk + " of round " + round + " of job " + jobId, c -> {
            // one statement: the unique key decides between racing writers, the join refuses stale attempts
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO decryptions (job_id, round_no, attempt, chunk, reserved)"
                    + " SELECT job_id, round_no, attempt, ?, ? FROM rounds"
                    + " WHERE job_id = ? AND round_no = ? AND attempt = ? AND state = ?"
                    + " ON CONFLICT (job_id, round_no, attempt, chunk) DO NOTHING")) {
                ps.setInt(1, chunk);
                ps.setString(2, Instant.now().toString());
                ps.setString(3, jobId);
                ps.setInt(4, round);
                ps.setInt(5, attempt);
                ps.setString(6, RoundState.RUNNING.name());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Whether any chunk of this round was reserved for decryption in an attempt before
     * {@code attempt}: then an aggregate of this round may already have been decrypted, and the
     * round engine must decide whether a new attempt with a different set of sites is safe.
     */
    public boolean decryptedBefore(String jobId, int round, int attempt) {
        return tx("read the decryptions of round " + round + " of job " + jobId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM decryptions WHERE job_id = ? AND round_no = ? AND attempt < ?")) {
                ps.setString(1, jobId);
                ps.setInt(2, round);
                ps.setInt(3, attempt);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            }
        });
    }

    // ---- manifests

    /** Saves a round's signed manifest, once; the same manifest again is a no-op, a different one is refused. */
    public void saveManifest(String jobId, int round, String digest, byte[] canonicalBytes, byte[] signature) {
        tx("save the manifest of round " + round + " of job " + jobId, c -> {
            saveManifest(c, jobId, round, digest, canonicalBytes, signature);
            return null;
        });
    }

    private void saveManifest(Connection c, String jobId, int round, String digest, byte[] canonicalBytes,
                              byte[] signature) throws SQLException {
        job(c, jobId).orElseThrow(() -> noJob(jobId));
        for (Manifest m : manifests(c, jobId)) {
            if (m.round() == round) {
                if (m.digest().equals(digest) && Arrays.equals(m.canonicalBytes(), canonicalBytes)
                        && Arrays.equals(m.signature(), signature)) {
                    return;
                }
                throw new StoreException("round " + round + " of job " + jobId + " already has manifest "
                        + m.digest() + " in " + name + "; a signed manifest is never replaced");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO manifests (job_id, round_no, digest, canonical,"
                + " signature) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, jobId);
            ps.setInt(2, round);
            ps.setString(3, digest);
            ps.setBytes(4, canonicalBytes);
            ps.setBytes(5, signature);
            ps.executeUpdate();
        }
    }

    /** The job's manifests in round order. */
    public List<Manifest> manifests(String jobId) {
        return tx("read the manifests of job " + jobId, c -> manifests(c, jobId));
    }

    /** The digest of the job's latest manifest: the previous-manifest link of the next one. */
    public Optional<String> lastManifestDigest(String jobId) {
        List<Manifest> all = manifests(jobId);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1).digest());
    }

    private List<Manifest> manifests(Connection c, String jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM manifests WHERE job_id = ? ORDER BY round_no")) {
            ps.setString(1, jobId);
            return list(ps, rs -> new Manifest(rs.getString("job_id"), rs.getInt("round_no"), rs.getString("digest"),
                    rs.getBytes("canonical"), rs.getBytes("signature")));
        }
    }

    /**
     * Records a site's countersignature of (or refusal to countersign) a stored manifest. A
     * signature is kept once and never replaced; a refusal is replaced by a later answer.
     */
    public void saveCountersignature(String jobId, int round, String site, byte[] signature, byte[] certificateDer,
                                     String refusal, Instant received) {
        if ((signature == null) == (refusal == null)) {
            throw new IllegalArgumentException("a countersignature record holds a signature or a refusal, not both");
        }
        tx("save site " + site + "'s countersignature of manifest " + round + " of job " + jobId, c -> {
            for (Countersignature k : countersignatures(c, jobId)) {
                if (k.round() == round && k.site().equals(site)) {
                    if (k.signature() != null) {
                        return null;
                    }
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM manifest_countersignatures"
                            + " WHERE job_id = ? AND round_no = ? AND site = ?")) {
                        ps.setString(1, jobId);
                        ps.setInt(2, round);
                        ps.setString(3, site);
                        ps.executeUpdate();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO manifest_countersignatures (job_id, round_no,"
                    + " site, signature, certificate, refusal, received) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, jobId);
                ps.setInt(2, round);
                ps.setString(3, site);
                ps.setBytes(4, signature);
                ps.setBytes(5, certificateDer);
                ps.setString(6, refusal);
                ps.setString(7, received.toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The sites' answers to countersignature requests of a job, by round and site. */
    public List<Countersignature> countersignatures(String jobId) {
        return tx("read the countersignatures of job " + jobId, c -> countersignatures(c, jobId));
    }

    private List<Countersignature> countersignatures(Connection c, String jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM manifest_countersignatures WHERE job_id = ?"
                + " ORDER BY round_no, site")) {
            ps.setString(1, jobId);
            return list(ps, rs -> new Countersignature(rs.getString("job_id"), rs.getInt("round_no"),
                    rs.getString("site"), rs.getBytes("signature"), rs.getBytes("certificate"), rs.getString("refusal"),
                    Instant.parse(rs.getString("received"))));
        }
    }

    /** One phase of a round attempt: its name (see {@code RoundsRunner}) and when it began and ended. */
    public record RoundPhase(String jobId, int round, int attempt, String phase, Instant started, Instant finished) {
    }

    /** Records how long a phase of a round attempt took; a phase recorded again for the same attempt replaces it. */
    public void recordPhase(String jobId, int round, int attempt, String phase, Instant started, Instant finished) {
        tx("record phase " + phase + " of round " + round + " of job " + jobId, c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM round_phases WHERE job_id = ? AND round_no = ?"
                    + " AND attempt = ? AND phase = ?");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO round_phases (job_id, round_no, attempt, phase,"
                         + " started, finished) VALUES (?, ?, ?, ?, ?, ?)")) {
                del.setString(1, jobId);
                del.setInt(2, round);
                del.setInt(3, attempt);
                del.setString(4, phase);
                del.executeUpdate();
                ins.setString(1, jobId);
                ins.setInt(2, round);
                ins.setInt(3, attempt);
                ins.setString(4, phase);
                ins.setString(5, started.toString());
                ins.setString(6, finished.toString());
                ins.executeUpdate();
            }
            return null;
        });
    }

    /** The recorded phases of a job's rounds, by round, attempt and start. */
    public List<RoundPhase> phases(String jobId) {
        return tx("read the round phases of job " + jobId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM round_phases WHERE job_id = ?"
                    + " ORDER BY round_no, attempt, started")) {
                ps.setString(1, jobId);
                return list(ps, rs -> new RoundPhase(rs.getString("job_id"), rs.getInt("round_no"), rs.getInt("attempt"),
                        rs.getString("phase"), Instant.parse(rs.getString("started")),
                        Instant.parse(rs.getString("finished"))));
            }
        });
    }

    // ---- plumbing

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private static <T> List<T> list(PreparedStatement ps, Row<T> row) throws SQLException {
        List<T> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(row.read(rs));
            }
        }
        return out;
    }

    /** Runs one transaction; it is committed (durable) when this returns. */
    private synchronized <T> T tx(String what, Work<T> work) {
        if (closed) {
            throw new IllegalStateException("coordinator store " + name + " is closed");
        }
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // the original failure is the one to report
                }
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot " + what + " in coordinator database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("closing coordinator database " + name + ": " + e.getMessage(), e);
        }
    }
}
