package org.medveil.governance.audit;

import java.nio.file.Path;
import java.util.Map;
import org.medveil.governance.pki.Kit;

/**
 * Child process for the crash test: appends records to an audit log as fast as it can and prints
 * {@code ACK seq hash} after each append returned, until it is killed.
 */
public final class AuditAppenderProcess {

    private AuditAppenderProcess() {
    }

    public static void main(String[] args) {
        AuditLog log = AuditLog.open(Path.of(args[0]), AuditSigner.of(Kit.load(Path.of(args[1]))),
                AuditLog.Options.DEFAULTS.withCheckpointEvery(7));
        System.out.println("OPEN");
        System.out.flush();
        for (long i = 0; ; i++) {
            AuditRecord r = log.append("ingest", "system", Map.of("object", "obj-" + i,
                    "sha256", AuditRecord.sha256Hex(Long.toString(i).getBytes())));
            System.out.println("ACK " + r.seq() + " " + r.hash());
            System.out.flush();
        }
    }
}
