package org.medveil.cli;

import org.medveil.governance.audit.AuditHead;
import org.medveil.governance.audit.AuditReport;
import org.medveil.governance.audit.AuditVerifier;
import org.medveil.governance.pki.Pem;
import org.medveil.governance.pki.PkiException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code medveil audit}: checks of a site's tamper-evident audit trail (REQ-USE-4). */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Check a site's tamper-evident audit trail and its destruction certificates.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand extends CommandGroup {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Verify an audit folder with only the project CA certificate: every record's hash, the"
                    + " hash chain (no record edited, removed, reordered), the signature of every checkpoint (by a"
                    + " certificate the CA issued), audit.head (no records cut from the end, checkpoints included),"
                    + " and every destruction certificate in DIR/certificates with the audit records it names.",
                    "Prints one line per problem, naming the first bad record by file, line and seq, then a summary."
                            + " Records after the last checkpoint (an open log, or a crash) are a warning, not a failure.",
                    "Exit 0 when the trail is intact, 1 when tampering or damage is found, 2 on usage errors."})
    static final class Verify implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "The audit folder (audit-*.jsonl, audit.head, certificates/).")
        Path dir;
        @Option(names = "--ca", required = true, paramLabel = "CA.pem", description = "The project CA certificate (PEM).")
        Path ca;
        @Option(names = "--known-head", paramLabel = "SEQ:SHA256",
                description = {"A head noted earlier from DIR/audit.head (its seq= and line-sha256= values), e.g. at the"
                        + " last review; repeatable. It must still be a checkpoint of the log: this catches a log cut"
                        + " back together with its audit.head, which the folder alone cannot show."})
        List<String> knownHeads = new ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.isDirectory(dir)) {
                err.println("medveil: error: audit folder " + dir + " does not exist or is not a folder;"
                        + " give the site's audit folder");
                return 2;
            }
            X509Certificate caCert;
            try {
                caCert = Pem.readCertificate(ca);
            } catch (PkiException e) {
                err.println("medveil: error: --ca: " + e.getMessage());
                return 2;
            }
            List<AuditHead> heads = new ArrayList<>();
            for (String h : knownHeads) {
                try {
                    heads.add(AuditHead.parse(h));
                } catch (IllegalArgumentException e) {
                    err.println("medveil: error: --known-head: " + e.getMessage());
                    return 2;
                }
            }
            AuditReport r = AuditVerifier.verify(dir, caCert, heads);
            for (AuditReport.Problem p : r.problems()) {
                out.println("TAMPERED: " + p);
            }
            for (String w : r.warnings()) {
                out.println("warning: " + w);
            }
            String counts = r.records() + " records, " + r.checkpoints() + " checkpoints signed by site "
                    + (r.site() == null ? "(none)" : r.site()) + " (last at seq "
                    + r.lastCheckpointSeq() + "), " + r.certificates() + " destruction certificate(s) verified";
            if (r.ok()) {
                out.println("OK: " + dir + ": " + counts);
                return 0;
            }
            out.println("FAILED: " + dir + ": " + r.problems().size() + " problem(s); first: " + r.problems().get(0)
                    + ". Checked before the first bad record: " + counts);
            return 1;
        }
    }
}
