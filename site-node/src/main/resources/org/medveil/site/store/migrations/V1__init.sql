-- V1: the site index. Plain SQL, one statement per ';' at line end, run in one transaction.
-- No PHI: patients appear only as a keyed hash (patient_key); provenance holds AE titles/hosts
-- or inbox-relative paths chosen by ingest.

CREATE TABLE objects (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('original', 'derivative')),
    parent_id    TEXT REFERENCES objects(id),
    dataset      TEXT NOT NULL,
    sop_class    TEXT,
    modality     TEXT,
    body_part    TEXT,
    category     TEXT,
    grade        INTEGER CHECK (grade BETWEEN 1 AND 5),
    patient_key  TEXT,
    size         INTEGER NOT NULL,
    digest       TEXT NOT NULL,
    suite        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'archived', 'destroyed')),
    destroyed_at TEXT
);
CREATE INDEX objects_dataset ON objects(dataset, state);
CREATE INDEX objects_patient ON objects(patient_key);
CREATE INDEX objects_parent ON objects(parent_id);

CREATE TABLE provenance (
    object_id      TEXT PRIMARY KEY REFERENCES objects(id),
    channel        TEXT NOT NULL CHECK (channel IN ('inbox', 'scp')),
    source         TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    content_digest TEXT NOT NULL
);

CREATE TABLE consents (
    id             INTEGER PRIMARY KEY,
    patient_key    TEXT NOT NULL,
    purposes       TEXT NOT NULL,
    joint_modeling INTEGER NOT NULL DEFAULT 0,
    valid_from     TEXT,
    expires        TEXT,
    withdrawn_at   TEXT
);
CREATE INDEX consents_patient ON consents(patient_key);

CREATE TABLE labels (
    object_id TEXT NOT NULL REFERENCES objects(id),
    label     TEXT NOT NULL,
    PRIMARY KEY (object_id, label)
);

CREATE TABLE refusals (
    id      INTEGER PRIMARY KEY,
    time    TEXT NOT NULL,
    channel TEXT NOT NULL,
    reason  TEXT NOT NULL,
    digest  TEXT
);

CREATE TABLE jobs (
    job_id     TEXT PRIMARY KEY,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by TEXT,
    decided_at TEXT,
    reason     TEXT
);

CREATE TABLE dataset_roots (
    dataset    TEXT PRIMARY KEY,
    root       TEXT NOT NULL,
    leaves     INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
