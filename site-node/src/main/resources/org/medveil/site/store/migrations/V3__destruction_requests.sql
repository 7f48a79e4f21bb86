-- V3: destruction requests and their approvals (org.medveil.site.lifecycle.DestructionService).
-- subject is pseudonymous: a patient key, a dataset name or object ids. planned holds the
-- resolved "id:digest" list once execution starts, so an interrupted execution resumes it.
CREATE TABLE destruction_requests (
    id           TEXT PRIMARY KEY,
    scope        TEXT NOT NULL CHECK (scope IN ('patient', 'dataset', 'object')),
    subject      TEXT NOT NULL,
    object_ids   TEXT,
    derived_only INTEGER NOT NULL DEFAULT 0,
    purpose      TEXT,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'executing', 'executed')),
    planned      TEXT
);
CREATE TABLE destruction_approvals (
    request_id  TEXT NOT NULL REFERENCES destruction_requests(id),
    fingerprint TEXT NOT NULL,
    role        TEXT NOT NULL,
    audit_seq   INTEGER NOT NULL,
    approved_at TEXT NOT NULL,
    PRIMARY KEY (request_id, fingerprint)
);
