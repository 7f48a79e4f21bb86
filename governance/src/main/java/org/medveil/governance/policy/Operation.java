package org.medveil.governance.policy;

/**
 * What a site node offers to people (REQ-USE-3): every operator command and every data access
 * goes through {@link AccessPolicy#decide} as one of these. {@link Scope#OBJECT} operations are
 * about one stored object and are decided per grade; {@link Scope#SITE} operations are not.
 */
public enum Operation {
    VIEW_STATUS(Scope.SITE, "health, versions and counts; no patient data"),
    INGEST(Scope.SITE, "take objects in from the inbox or a DICOM sender"),
    LIST_OBJECTS(Scope.SITE, "list the index: pseudonymous ids, grades, categories, provenance; no images"),
    MANAGE_CONSENT(Scope.SITE, "import, list and withdraw consents"),
    MANAGE_LABELS(Scope.SITE, "import training labels"),
    REQUEST_USE(Scope.SITE, "file a use request (a federated job) for this site"),
    APPROVE_USE(Scope.SITE, "approve or reject a use request"),
    READ_ORIGINAL(Scope.OBJECT, "read an original (as received) object"),
    READ_DERIVATIVE(Scope.OBJECT, "read a de-identified derivative"),
    SELECT_FOR_TRAINING(Scope.OBJECT, "select an object for a joint-modeling job"),
    EXPORT_AGGREGATE(Scope.SITE, "send a job's aggregate result (encrypted model update, statistics) off-site"),
    VERIFY_STORE(Scope.SITE, "check digests and Merkle roots of the store"),
    READ_AUDIT(Scope.SITE, "read and verify the audit trail"),
    BACKUP(Scope.SITE, "make an encrypted backup"),
    RESTORE(Scope.SITE, "restore the site from a backup"),
    ARCHIVE(Scope.OBJECT, "move an object into an encrypted archive"),
    RESTORE_ARCHIVE(Scope.OBJECT, "bring an archived object back"),
    APPROVE_DESTRUCTION(Scope.SITE, "approve a destruction request"),
    DESTROY(Scope.OBJECT, "destroy an object, every copy included");

    /** Whether an operation concerns one stored object (and so has a grade). */
    public enum Scope { SITE, OBJECT }

    private final Scope scope;
    private final String description;

    Operation(Scope scope, String description) {
        this.scope = scope;
        this.description = description;
    }

    public Scope scope() {
        return scope;
    }

    public String description() {
        return description;
    }

    /** Stable lower-case id for audit records and the README, e.g. {@code read-original}. */
    public String id() {
        return name().toLowerCase().replace('_', '-');
    }

    @Override
    public String toString() {
        return id();
    }
}
