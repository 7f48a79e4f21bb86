package org.medveil.cli;

import io.grpc.StatusRuntimeException;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.proto.siteadmin.*;
import org.medveil.site.admin.SiteAdminClient;
import org.medveil.site.SiteRestore;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.lifecycle.Backups;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Backup, archive and destruction commands of a site node ({@code medveil site backup|restore|
 * archive|destroy}). All but {@code restore} are thin clients of the site's admin API (the site
 * decides by the role in the caller's certificate and audits). {@code restore} is offline: the
 * site is stopped and the operator holding the keystore password restores into an empty data
 * folder on the site host.
 */
final class SiteLifecycleCommands {

    private SiteLifecycleCommands() {
    }

    /** For commands that take an action themselves and also group subcommands: --kit is checked when run. */
    abstract static class GroupWithAction extends OutputCommand {
        @Option(names = "--kit", paramLabel = "DIR", description = "Your user kit.")
        Path kit;
        @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = SiteAdminClient.DEFAULT_ADDRESS,
                description = "The site node's admin API (default: ${DEFAULT-VALUE}).")
        String admin;

        <T> T call(Function<SiteAdminGrpc.SiteAdminBlockingStub, T> rpc) {
            if (kit == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--kit=DIR'");
            }
            SiteAdminCommands.Connection c = new SiteAdminCommands.Connection();
            c.kit = kit;
            c.admin = admin;
            return SiteAdminCommands.AdminCommand.call(c, rpc);
        }
    }

    // ------------------------------------------------------------ backup / restore

    @Command(name = "backup", mixinStandardHelpOptions = true, subcommands = BackupVerify.class,
            description = {"Make an encrypted, verifiable backup set of the store and audit trail in DEST, a folder"
                    + " on the site host outside its data and key folders (data managers). Data keys are never in a"
                    + " set: back up the key folder separately (site-node README).",
                    "'site backup verify SET' checks a set."})
    static final class Backup extends GroupWithAction {
        @Parameters(paramLabel = "DEST", arity = "0..1", description = "Absolute folder on the site host.")
        String dest;

        @Override
        public void run() {
            if (dest == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'DEST'"
                        + " (or use 'site backup verify SET')");
            }
            BackupResponse r = call(st -> st.backup(BackupRequest.newBuilder().setDestination(absolute(dest)).build()));
            out().printf("backup set %s: %d object(s), %d bytes, at %s (on the site host)%n", r.getSetId(),
                    r.getObjects(), r.getBytes(), r.getPath());
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check a backup set's manifest and every file in it (data managers).",
                    "Exit code: 0 intact, 1 problems (each altered, missing or extra file is named) or error."})
    static final class BackupVerify extends SiteAdminCommands.AdminCommand {
        @Parameters(paramLabel = "SET", description = "The set's folder on the site host (absolute).")
        String set;

        @Override
        public void run() {
            VerifyBackupResponse r = call(st -> st.verifyBackup(VerifyBackupRequest.newBuilder().setSet(absolute(set)).build()));
            r.getProblemsList().forEach(out()::println);
            if (!r.getOk()) {
                out().flush();
                throw new CliException("backup set " + set + " is not intact: " + r.getProblemsCount()
                        + " problem(s), listed above; do not restore from it");
            }
            out().println("backup set intact: " + set);
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Restore a backup set into this site's EMPTY data folder (offline: the site node must not"
                    + " be running). Runs on the site host with the site's keystore from site.yaml: whoever holds the"
                    + " keystore password is the trust anchor of a restore (the set's manifest is authenticated"
                    + " with a key only that keystore opens; no certificate role is checked).",
                    "Objects destroyed after the backup stay destroyed. Writes a 'restore' record into the restored"
                            + " audit log (signed with the site kit) and prints the store verification.",
                    "Exit code: 0 restored and intact, 1 refused, failed or not intact, 2 usage error."})
    static final class Restore extends OutputCommand {
        @Parameters(paramLabel = "SRC", description = "The backup set folder.")
        Path src;
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "This site's site.yaml.")
        Path config;
        @Option(names = "--kit", required = true, paramLabel = "DIR",
                description = "This site's kit (signs the audit log's checkpoints).")
        Path kit;

        @Override
        public void run() {
            SiteConfig cfg = SiteConfig.load(config);
            Backups.RestoreResult r;
            try {
                r = SiteRestore.run(cfg, Kit.load(kit), src);
            } catch (org.medveil.site.SiteNodeException e) {
                throw new CliException(e.getMessage());
            }
            SiteConfig.StoreSettings st = cfg.store();
            out().printf("restored backup set %s into %s: %d object file(s)%n", r.setId(), st.dataFolder(), r.objects());
            if (!r.destroyedSinceBackup().isEmpty()) {
                out().printf("%d object(s) were destroyed after this backup and stay destroyed%n",
                        r.destroyedSinceBackup().size());
            }
            if (!r.orphanKeys().isEmpty()) {
                out().printf("%d data key(s) belong to objects stored after this backup; their files are lost%n",
                        r.orphanKeys().size());
            }
            var v = r.verification();
            v.altered().forEach(f -> out().println("altered: object " + f.id() + " " + f.reason()));
            v.missing().forEach(f -> out().println("missing: object " + f.id() + " " + f.reason()));
            v.extra().forEach(f -> out().println("extra: " + f.path() + " " + f.reason()));
            v.rootMismatches().forEach(m -> out().println("dataset-root: " + m));
            if (!v.ok()) {
                out().flush();
                throw new CliException("the restored store is not intact (listed above); keep the set and ask for help"
                        + " before starting the site");
            }
            out().printf("store intact: %d object(s) checked; start the site node with 'medveil site serve'%n",
                    v.checked());
        }
    }

    // ------------------------------------------------------------ archives

    @Command(name = "archive", mixinStandardHelpOptions = true, subcommands = {ArchiveList.class, ArchiveRestore.class},
            description = {"Move active objects older than N days (optionally of one dataset) into a zstd-compressed,"
                    + " encrypted archive on the site host (data managers). 'site archive list' shows archives,"
                    + " 'site archive restore ID' brings one back (data managers only)."})
    static final class Archive extends GroupWithAction {
        @Option(names = "--older-than-days", paramLabel = "N", description = "Age of the objects to archive.")
        Integer days;
        @Option(names = "--dataset", paramLabel = "D", description = "Only this dataset.")
        String dataset;

        @Override
        public void run() {
            if (days == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option:"
                        + " '--older-than-days=N' (or use 'site archive list|restore')");
            }
            ArchiveRequest.Builder b = ArchiveRequest.newBuilder().setOlderThanDays(days);
            if (dataset != null) {
                b.setDataset(dataset);
            }
            ArchiveResponse r = call(st -> st.archive(b.build()));
            if (r.getArchiveId().isEmpty()) {
                out().println("nothing to archive: no active object matches");
                return;
            }
            out().printf("archive %s: %d object(s), %d bytes -> %d bytes archived%n", r.getArchiveId(), r.getObjects(),
                    r.getPlaintextBytes(), r.getArchivedBytes());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List archives: id, objects, objects still archived, whether it verifies (data managers,"
                    + " compliance officers).")
    static final class ArchiveList extends SiteAdminCommands.AdminCommand {
        @Override
        public void run() {
            ListArchivesResponse l = call(st -> st.listArchives(ListArchivesRequest.getDefaultInstance()));
            out().printf("%-36s %-7s %-8s %s%n", "ARCHIVE", "OBJECTS", "ARCHIVED", "VERIFIES");
            for (ArchiveEntry e : l.getArchivesList()) {
                out().printf("%-36s %-7d %-8d %s%n", e.getArchiveId(), e.getObjects(), e.getStillArchived(),
                        e.getOk() ? "yes" : "NO");
            }
            out().printf("%d archive(s)%n", l.getArchivesCount());
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Bring an archive's objects back into the live store (data managers only). Destroyed"
                    + " objects stay destroyed.")
    static final class ArchiveRestore extends SiteAdminCommands.AdminCommand {
        @Parameters(paramLabel = "ID", description = "The archive id, as 'site archive list' shows it.")
        String id;

        @Override
        public void run() {
            RestoreArchiveResponse r = call(st -> st.restoreArchive(RestoreArchiveRequest.newBuilder().setArchiveId(id).build()));
            r.getRefusedMap().forEach((o, why) -> out().println("not restored: " + o + " (" + why + ")"));
            out().printf("archive %s: %d object(s) restored, %d not restored%n", r.getArchiveId(), r.getRestoredCount(),
                    r.getRefusedCount());
        }
    }

    // ------------------------------------------------------------ destruction

    @Command(name = "destroy", mixinStandardHelpOptions = true,
            subcommands = {DestroyRequest.class, DestroyApprove.class, DestroyExecute.class, DestroyList.class},
            description = {"Destroy data, every copy included (REQ-DEL-2, DEL-6): 'request' names what, a data manager"
                    + " 'approve's (two different ones when the site requires a second person), 'execute' destroys"
                    + " the data keys, overwrites the live files and writes a signed certificate that"
                    + " 'medveil audit verify' checks."})
    static final class Destroy implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return Main.usageError(spec);
        }
    }

    static final class Target {
        @Option(names = "--patient", paramLabel = "ID",
                description = "A patient ID (sent over TLS, pseudonymised by the site, never stored).")
        String patient;
        @Option(names = "--dataset", paramLabel = "D", description = "A dataset.")
        String dataset;
        @Option(names = "--object", paramLabel = "ID", arity = "1..*", description = "Object ids (from 'site objects').")
        List<String> objects;
    }

    @Command(name = "request", mixinStandardHelpOptions = true,
            description = "File a destruction request for a patient's objects, a dataset or given objects (originals"
                    + " and every derivative made from them; data managers). Nothing is destroyed yet.")
    static final class DestroyRequest extends SiteAdminCommands.AdminCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        @Override
        public void run() {
            RequestDestructionRequest.Builder b = RequestDestructionRequest.newBuilder();
            if (target.patient != null) {
                b.setPatientId(target.patient);
            } else if (target.dataset != null) {
                b.setDataset(target.dataset);
            } else {
                b.setObjects(ObjectIds.newBuilder().addAllIds(target.objects));
            }
            DestructionRequestEntry e = call(st -> st.requestDestruction(b.build())).getRequest();
            out().printf("destruction request %s filed (%s %s); it needs %d data-manager approval(s): "
                    + "'medveil site destroy approve %s'%n", e.getId(), e.getScope(), e.getSubject(),
                    e.getApprovalsNeeded(), e.getId());
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve a destruction request as yourself (your certificate is the approver; data managers)."
                    + " The same person never approves twice.")
    static final class DestroyApprove extends SiteAdminCommands.AdminCommand {
        @Parameters(paramLabel = "REQ", description = "The request id.")
        String id;

        @Override
        public void run() {
            DestructionRequestEntry e = call(st -> st.approveDestruction(ApproveDestructionRequest.newBuilder()
                    .setRequestId(id).build())).getRequest();
            out().printf("destruction request %s: %d of %d approval(s)%s%n", e.getId(), e.getApprovedByCount(),
                    e.getApprovalsNeeded(), e.getApprovedByCount() >= e.getApprovalsNeeded()
                            ? "; run 'medveil site destroy execute " + e.getId() + "'" : "");
        }
    }

    @Command(name = "execute", mixinStandardHelpOptions = true,
            description = "Destroy what an approved request covers and issue the signed destruction certificate"
                    + " (data managers).")
    static final class DestroyExecute extends SiteAdminCommands.AdminCommand {
        @Parameters(paramLabel = "REQ", description = "The request id.")
        String id;

        @Override
        public void run() {
            ExecuteDestructionResponse r = call(st -> st.executeDestruction(ExecuteDestructionRequest.newBuilder()
                    .setRequestId(id).build()));
            out().printf("destroyed %d object(s) (%d data key(s), %d live file(s)); certificate %s at %s (on the site"
                    + " host; check it with 'medveil audit verify')%n", r.getObjects(), r.getDataKeysDestroyed(),
                    r.getFilesOverwritten(), r.getCertificate(), r.getCertificatePath());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List destruction requests (data managers).")
    static final class DestroyList extends SiteAdminCommands.AdminCommand {
        @Override
        public void run() {
            ListDestructionRequestsResponse l = call(st -> st.listDestructionRequests(
                    ListDestructionRequestsRequest.getDefaultInstance()));
            out().printf("%-20s %-9s %-10s %-9s %s%n", "REQUEST", "SCOPE", "STATE", "APPROVALS", "SUBJECT");
            for (DestructionRequestEntry e : l.getRequestsList()) {
                out().printf("%-20s %-9s %-10s %d/%-7d %s%s%n", e.getId(), e.getScope(), e.getState(),
                        e.getApprovedByCount(), e.getApprovalsNeeded(), e.getSubject(),
                        e.getDerivedOnly() ? " (derivatives, consent withdrawn for " + e.getPurpose() + ")" : "");
            }
            out().printf("%d request(s)%n", l.getRequestsCount());
        }
    }

    /** Paths go to the site host as given, made absolute against this folder (the usual case: same host). */
    private static String absolute(String p) {
        return Path.of(p).toAbsolutePath().normalize().toString();
    }
}
