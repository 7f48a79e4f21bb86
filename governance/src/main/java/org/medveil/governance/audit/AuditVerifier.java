package org.medveil.governance.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks an audit folder with nothing but the project CA certificate: every line a canonical
 * record whose hash matches, seqs contiguous from 1, each {@code prev} the SHA-256 of the line
 * before, every checkpoint signed by a certificate of that CA, {@code audit.head} naming a
 * checkpoint that is still in the log, and every destruction certificate in {@code certificates/}
 * valid and backed by its audit records. The chain is followed up to the first bad record, which
 * the report names by file, line and seq; later records are not trusted and not reported.
 */
public final class AuditVerifier {

    private AuditVerifier() {
    }

    public static AuditReport verify(Path dir, X509Certificate projectCa) {
        return new Run(dir, projectCa, List.of()).run();
    }

    /**
     * Also checks heads noted earlier outside the folder (e.g. by a compliance officer at each
     * review): each must still be a checkpoint of the log. This catches a log cut back to an older
     * checkpoint together with a rewritten {@code audit.head}, which the folder alone cannot show.
     */
    public static AuditReport verify(Path dir, X509Certificate projectCa, List<AuditHead> knownHeads) {
        return new Run(dir, projectCa, List.copyOf(knownHeads)).run();
    }

    private static final class Run {
        private final Path dir;
        private final X509Certificate ca;
        private final List<AuditHead> knownHeads;
        private final List<AuditReport.Problem> problems = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        /** seq → record, for records that destruction certificates refer to. */
        private final Map<Long, AuditRecord> referable = new HashMap<>();
        private final Map<Long, String> checkpointLineHashes = new HashMap<>();
        private long records;
        private long checkpoints;
        private long lastSeq;
        private long lastCheckpointSeq;
        private int certificates;
        private boolean chainBroken;
        private String site;

        Run(Path dir, X509Certificate ca, List<AuditHead> knownHeads) {
            this.dir = dir;
            this.ca = ca;
            this.knownHeads = knownHeads;
        }

        AuditReport run() {
            if (!Files.isDirectory(dir)) {
                problem(null, null, null, "audit folder " + dir + " does not exist");
                return report();
            }
            List<Path> files;
            try {
                files = AuditFiles.list(dir);
            } catch (IOException e) {
                problem(null, null, null, "cannot list " + dir + ": " + e.getMessage());
                return report();
            }
            chain(files);
            head(files);
            for (AuditHead known : knownHeads) {
                if (!chainBroken) {
                    checkHead(known, "the head noted earlier (" + known.seq() + ":" + known.lineHash().substring(0, 12) + "…)");
                }
            }
            if (!chainBroken && lastSeq > lastCheckpointSeq) {
                warnings.add((lastSeq - lastCheckpointSeq) + " record(s) after the last checkpoint (seq "
                        + lastCheckpointSeq + ") are not signed yet: the log is open, or the site stopped without a"
                        + " clean shutdown. They are hash-chained but only a checkpoint makes them tamper-evident"
                        + " against someone who can rewrite the files");
            }
            certificates();
            return report();
        }

        private AuditReport report() {
            return new AuditReport(List.copyOf(problems), List.copyOf(warnings), site, records, checkpoints, lastSeq,
                    lastCheckpointSeq, certificates);
        }

        private void problem(String file, Integer line, Long seq, String reason) {
            problems.add(new AuditReport.Problem(file, line, seq, reason));
        }

        private void chain(List<Path> files) {
            long expected = 1;
            String prev = AuditRecord.GENESIS;
            for (int i = 0; i < files.size() && !chainBroken; i++) {
                Path file = files.get(i);
                String name = file.getFileName().toString();
                if (AuditFiles.number(file) != i + 1) {
                    broken(name, null, null, "audit file " + AuditFiles.name(i + 1) + " is missing (files must be"
                            + " numbered from 1 without gaps); records were removed");
                    return;
                }
                AuditFiles.Content c;
                try {
                    c = AuditFiles.read(file);
                } catch (IOException e) {
                    broken(name, null, null, "cannot read: " + e.getMessage());
                    return;
                }
                for (int j = 0; j < c.lines().size(); j++) {
                    byte[] line = c.lines().get(j);
                    int lineNo = j + 1;
                    AuditRecord r;
                    try {
                        r = AuditRecord.parse(line);
                    } catch (IllegalArgumentException e) {
                        broken(name, lineNo, null, "record is damaged or was edited: " + e.getMessage());
                        return;
                    }
                    if (!r.hashMatches()) {
                        broken(name, lineNo, r.seq(), "record was edited: its hash does not match its content");
                        return;
                    }
                    if (r.seq() != expected) {
                        broken(name, lineNo, r.seq(), r.seq() > expected
                                ? "expected seq " + expected + ": record(s) before this one were removed or reordered"
                                : "expected seq " + expected + ": records were reordered or duplicated");
                        return;
                    }
                    if (!r.prev().equals(prev)) {
                        broken(name, lineNo, r.seq(), "prev does not match the hash of the line before it: the"
                                + " record before it was removed, replaced or reordered");
                        return;
                    }
                    if (r.isCheckpoint()) {
                        String why = Checkpoints.problem(r, ca);
                        if (why != null) {
                            broken(name, lineNo, r.seq(), why + " (covers seq " + (lastCheckpointSeq + 1) + " to "
                                    + (r.seq() - 1) + ")");
                            return;
                        }
                        String signedBy = Checkpoints.siteName(Checkpoints.certificate(r));
                        if (site != null && !site.equals(signedBy)) {
                            broken(name, lineNo, r.seq(), "checkpoint is signed by site " + signedBy + ", but the earlier"
                                    + " checkpoints of this log by site " + site + "; one log belongs to one site");
                            return;
                        }
                        site = signedBy;
                        checkpoints++;
                        lastCheckpointSeq = r.seq();
                        checkpointLineHashes.put(r.seq(), AuditRecord.sha256Hex(line));
                    }
                    if (DestructionCertificate.AUDIT_TYPE.equals(r.type())
                            || DestructionCertificate.APPROVAL_TYPE.equals(r.type())) {
                        referable.put(r.seq(), r);
                    }
                    records++;
                    lastSeq = r.seq();
                    expected++;
                    prev = AuditRecord.sha256Hex(line);
                }
                if (c.torn().length > 0) {
                    if (i == files.size() - 1) {
                        warnings.add(name + " ends with a torn line of " + c.torn().length + " bytes (a crash during"
                                + " a write; it was never acknowledged). Opening the log cuts it off and records that");
                    } else {
                        broken(name, c.lines().size() + 1, null, "a line without newline in a file that is not the"
                                + " last: the file was cut or edited");
                        return;
                    }
                }
            }
        }

        private void broken(String file, Integer line, Long seq, String reason) {
            chainBroken = true;
            problem(file, line, seq, reason);
        }

        private void head(List<Path> files) {
            AuditHead head;
            try {
                head = AuditHead.read(dir);
            } catch (AuditException e) {
                problem(AuditHead.FILE, null, null, e.getMessage());
                return;
            }
            if (head == null) {
                if (files.isEmpty()) {
                    problem(null, null, null, "no audit log in " + dir + " (no " + AuditHead.FILE + ", no audit-*.jsonl)");
                } else {
                    problem(AuditHead.FILE, null, null, "is missing; the log writes it before its first record, so"
                            + " it was deleted, possibly to hide records cut from the end");
                }
                return;
            }
            if (head.seq() == 0) {
                if (checkpoints > 0 && !chainBroken) {
                    warnings.add(AuditHead.FILE + " names no checkpoint although the log has " + checkpoints
                            + "; a crash right after the first checkpoint, or the head was reset");
                }
                return;
            }
            if (chainBroken) {
                return; // records after the break are not trusted; the head cannot be checked against them
            }
            checkHead(head, AuditHead.FILE);
        }

        private void checkHead(AuditHead head, String what) {
            if (head.seq() > lastSeq) {
                problem(what, null, head.seq(), "names checkpoint seq " + head.seq() + " but the log ends at seq "
                        + lastSeq + ": " + (head.seq() - lastSeq) + " or more record(s) were cut from the end, signed"
                        + " checkpoint(s) included");
                return;
            }
            String h = checkpointLineHashes.get(head.seq());
            if (h == null || !h.equals(head.lineHash())) {
                problem(what, null, head.seq(), "names a checkpoint at seq " + head.seq()
                        + " that is not the record the log has there: the log was rewritten from that point");
            }
        }

        private void certificates() {
            Path folder = dir.resolve(DestructionCertificate.FOLDER);
            if (!Files.isDirectory(folder)) {
                return;
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(folder)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
            } catch (IOException e) {
                problem(DestructionCertificate.FOLDER, null, null, "cannot list: " + e.getMessage());
                return;
            }
            for (Path f : files) {
                String name = DestructionCertificate.FOLDER + "/" + f.getFileName();
                try {
                    DestructionCertificate c = DestructionCertificate.read(f);
                    c.verify(ca);
                    if (!f.getFileName().toString().equals(c.statement().id() + ".json")) {
                        throw new AuditException("file name does not match certificate id " + c.statement().id());
                    }
                    String missing = auditBacking(c.statement());
                    if (missing != null) {
                        problem(name, null, null, missing);
                        continue;
                    }
                    certificates++;
                } catch (AuditException e) {
                    problem(name, null, null, e.getMessage());
                }
            }
        }

        /** Null when the audit log holds the destruction and approval records the statement names. */
        private String auditBacking(DestructionCertificate.Statement s) {
            if (chainBroken) {
                return "cannot be matched to its audit record: the audit chain is broken before it";
            }
            if (!s.site().equals(site)) {
                return "names site " + s.site() + " but this audit log is signed by site " + site;
            }
            AuditRecord d = referable.get(s.auditSeq());
            Map<String, String> want = DestructionCertificate.auditFields(s.id(), s.scope(), s.objects());
            if (d == null || !DestructionCertificate.AUDIT_TYPE.equals(d.type())) {
                return "refers to audit seq " + s.auditSeq() + ", which is not a '" + DestructionCertificate.AUDIT_TYPE
                        + "' record of this log";
            }
            if (!want.equals(d.fields())) {
                return "audit record seq " + s.auditSeq() + " does not describe this certificate (id, scope or"
                        + " destroyed objects differ)";
            }
            for (DestructionCertificate.Approval a : s.approvals()) {
                AuditRecord r = referable.get(a.auditSeq());
                if (r == null || !DestructionCertificate.APPROVAL_TYPE.equals(r.type())
                        || !r.actor().equals(a.fingerprint())) {
                    return "names an approval by sha256:" + a.fingerprint() + " at audit seq " + a.auditSeq()
                            + ", but the log has no approval record by that certificate there";
                }
            }
            return null;
        }
    }
}
