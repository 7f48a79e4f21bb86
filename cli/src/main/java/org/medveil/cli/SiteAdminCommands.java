package org.medveil.cli;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.proto.siteadmin.*;
import org.medveil.site.admin.SiteAdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Operator commands of a site node ({@code medveil site status|objects|consent|labels|requests|
 * approve|reject|verify}). Each is a thin client of the site's local admin API: it dials it with
 * the operator's user kit, and the site decides, by the role in that kit's certificate, whether
 * the command may run (and audits the decision). Nothing here opens the store itself.
 */
final class SiteAdminCommands {

    private SiteAdminCommands() {
    }

    /** --kit and --admin, shared by every operator command. */
    static final class Connection {
        @Option(names = "--kit", required = true, paramLabel = "DIR", description = "Your user kit.")
        Path kit;
        @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = SiteAdminClient.DEFAULT_ADDRESS,
                description = "The site node's admin API (default: ${DEFAULT-VALUE}).")
        String admin;
    }

    /** Runs one RPC; a refusal or failure becomes one line and exit code 1. */
    abstract static class AdminCommand extends OutputCommand {
        @Mixin
        Connection connection;

        <T> T call(Function<SiteAdminGrpc.SiteAdminBlockingStub, T> rpc) {
            return call(connection, rpc);
        }

        static <T> T call(Connection connection, Function<SiteAdminGrpc.SiteAdminBlockingStub, T> rpc) {
            Kit k = Kit.load(connection.kit);
            try (SiteAdminClient client = SiteAdminClient.connect(k, HostNames.parse(connection.admin))) {
                try {
                    return rpc.apply(client.stub());
                } catch (StatusRuntimeException e) {
                    throw new CliException(client.explain(e));
                }
            }
        }

        static ByteString read(Path file) {
            try {
                return ByteString.copyFrom(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the site's name, version and counts, and who you are to it (any role).")
    static final class Status extends AdminCommand {
        @Override
        public void run() {
            SiteStatusResponse s = call(st -> st.status(SiteStatusRequest.getDefaultInstance()));
            out().printf("site %s (project %s), medveil %s, cipher %s, index schema %d%n", s.getSite(), s.getProject(),
                    s.getSoftwareVersion(), s.getCipherSuite(), s.getSchemaVersion());
            out().printf("objects: %d originals, %d derivatives, %d archived, %d destroyed%n", s.getOriginals(),
                    s.getDerivatives(), s.getArchived(), s.getDestroyed());
            out().printf("consents: %d; use requests pending: %d%n", s.getConsents(), s.getPendingUseRequests());
            out().printf("you: %s (%s)%n", s.getCaller(), s.getCallerRole());
        }
    }

    @Command(name = "objects", mixinStandardHelpOptions = true,
            description = {"List the index: id, kind, dataset, modality, category, grade, state, labels. No PHI.",
                    "Data managers and compliance officers see every object. Researchers give --job and --purpose"
                            + " and see only the derivatives that approved use may read."})
    static final class Objects extends AdminCommand {
        @Option(names = "--job", paramLabel = "JOB", description = "Researchers: the approved use request.")
        String job;
        @Option(names = "--purpose", paramLabel = "PURPOSE", description = "Researchers: research, teaching or quality-control.")
        String purpose;

        @Override
        public void run() {
            ListObjectsRequest.Builder r = ListObjectsRequest.newBuilder();
            if (job != null) {
                r.setJobId(job);
            }
            if (purpose != null) {
                r.setPurpose(purpose);
            }
            ListObjectsResponse l = call(st -> st.listObjects(r.build()));
            out().printf("%-32s %-10s %-16s %-4s %-22s %-5s %-9s %s%n", "ID", "KIND", "DATASET", "MOD", "CATEGORY",
                    "GRADE", "STATE", "LABELS");
            for (ObjectEntry o : l.getObjectsList()) {
                out().printf("%-32s %-10s %-16s %-4s %-22s %-5s %-9s %s%n", o.getId(), o.getKind(), o.getDataset(),
                        dash(o.getModality()), dash(o.getCategory()), o.getGrade() == 0 ? "-" : Integer.toString(o.getGrade()),
                        o.getState(), o.getLabelsCount() == 0 ? "-" : String.join(",", o.getLabelsList()));
            }
            out().printf("%d object(s)%s%n", l.getObjectsCount(), l.getWithheld() > 0
                    ? "; " + l.getWithheld() + " withheld by the access policy" : "");
        }
    }

    @Command(name = "consent", mixinStandardHelpOptions = true,
            description = "Manage the consent registry (data managers).",
            subcommands = {ConsentImport.class, ConsentList.class, ConsentWithdraw.class})
    static final class Consent extends CommandGroup {
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Import a consent registry export: patient_id,purposes,joint_modeling,valid_from,expires"
                    + "[,withdrawn_at]. The site node pseudonymises patient IDs on arrival and never stores them.",
                    "A re-import updates terms but never revives a withdrawn consent."})
    static final class ConsentImport extends AdminCommand {
        @Parameters(paramLabel = "FILE", description = "The CSV file.")
        Path file;

        @Override
        public void run() {
            ImportConsentsResponse r = call(st -> st.importConsents(ImportConsentsRequest.newBuilder()
                    .setCsv(read(file)).setFileName(file.getFileName().toString()).build()));
            out().printf("imported %d patient(s): %d consent(s) added, %d updated, %d withdrawn%n",
                    r.getPatients(), r.getAdded(), r.getUpdated(), r.getWithdrawn());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List consents by patient pseudonym and purpose: joint modeling, validity, withdrawal.")
    static final class ConsentList extends AdminCommand {
        @Override
        public void run() {
            ListConsentsResponse l = call(st -> st.listConsents(ListConsentsRequest.getDefaultInstance()));
            out().printf("%-64s %-15s %-5s %-10s %-10s %s%n", "PATIENT (PSEUDONYM)", "PURPOSE", "JOINT", "FROM",
                    "EXPIRES", "WITHDRAWN");
            for (ConsentEntry e : l.getConsentsList()) {
                out().printf("%-64s %-15s %-5s %-10s %-10s %s%n", e.getPatient(), e.getPurpose(),
                        e.getJointModeling() ? "yes" : "no", e.getValidFrom(), dash(e.getExpires()), dash(e.getWithdrawnAt()));
            }
            out().printf("%d consent(s)%n", l.getConsentsCount());
        }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true,
            description = {"Record a patient's withdrawal of consent for one purpose. From now on the patient's"
                    + " derivatives are not selectable for it; the withdrawal is audited by pseudonym.",
                    "The patient's derivatives are then destroyed through the site's destruction path, your call"
                            + " counting as the approval (with a certificate); when the site requires a second person,"
                            + " a destruction request waits for another data manager's approval."})
    static final class ConsentWithdraw extends AdminCommand {
        @Option(names = "--patient", required = true, paramLabel = "ID",
                description = "The patient ID (sent to the site over TLS, pseudonymised there, never stored).")
        String patient;
        @Option(names = "--purpose", required = true, paramLabel = "PURPOSE",
                description = "research, teaching or quality-control.")
        String purpose;

        @Override
        public void run() {
            WithdrawConsentResponse r = call(st -> st.withdrawConsent(WithdrawConsentRequest.newBuilder()
                    .setPatientId(patient).setPurpose(purpose).build()));
            out().printf("withdrawn: patient %s, purpose %s, at %s; %d derivative(s) no longer selectable for it%n",
                    r.getPatient(), r.getPurpose(), r.getWithdrawnAt(), r.getDerivatives());
            if (!r.getCertificate().isEmpty()) {
                out().printf("destroyed %d derivative(s); certificate %s at %s (on the site host)%n", r.getDestroyed(),
                        r.getCertificate(), r.getCertificatePath());
            } else if (!r.getDestructionRequest().isEmpty()) {
                out().printf("destruction request %s for the derivatives carries your approval; this site requires a"
                        + " second data manager: 'medveil site destroy approve %s', then 'site destroy execute %s'%n",
                        r.getDestructionRequest(), r.getDestructionRequest(), r.getDestructionRequest());
            }
        }
    }

    @Command(name = "labels", mixinStandardHelpOptions = true, description = "Training labels (data managers).",
            subcommands = LabelsImport.class)
    static final class Labels extends CommandGroup {
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Attach labels from a CSV keyed by sop_instance_uid or accession_number (header"
                    + " 'sop_instance_uid,label' or 'accession_number,label') to the originals and their derivatives.",
                    "Prints counts only, never a key."})
    static final class LabelsImport extends AdminCommand {
        @Parameters(paramLabel = "FILE", description = "The CSV file.")
        Path file;

        @Override
        public void run() {
            ImportLabelsResponse r = call(st -> st.importLabels(ImportLabelsRequest.newBuilder()
                    .setCsv(read(file)).setFileName(file.getFileName().toString()).build()));
            out().printf("%d row(s): %d matched, %d unmatched; %d object(s) labelled%n", r.getRows(), r.getMatched(),
                    r.getUnmatched(), r.getLabelledObjects());
        }
    }

    @Command(name = "requests", mixinStandardHelpOptions = true,
            description = "List use requests (federated jobs) and their state (data managers).")
    static final class Requests extends AdminCommand {
        @Override
        public void run() {
            ListUseRequestsResponse l = call(st -> st.listUseRequests(ListUseRequestsRequest.getDefaultInstance()));
            out().printf("%-24s %-9s %-32s %s%n", "JOB", "STATE", "DECIDED BY", "AT");
            for (UseRequestEntry e : l.getRequestsList()) {
                print(e);
            }
            out().printf("%d request(s)%n", l.getRequestsCount());
        }

        private void print(UseRequestEntry e) {
            out().printf("%-24s %-9s %-32s %s%s%n", e.getJobId(), e.getState(), dash(e.getDecidedBy()),
                    dash(e.getDecidedAt()), e.getReason().isEmpty() ? "" : "  reason: " + e.getReason());
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve a pending use request (REQ-USE-1; data managers). A decision is final.")
    static final class Approve extends AdminCommand {
        @Parameters(paramLabel = "JOB", description = "The job id, as 'site requests' shows it.")
        String job;

        @Override
        public void run() {
            UseRequestEntry e = call(st -> st.approveUse(ApproveUseRequest.newBuilder().setJobId(job).build())).getRequest();
            out().printf("use request %s approved by %s at %s%n", e.getJobId(), e.getDecidedBy(), e.getDecidedAt());
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true,
            description = "Reject a pending use request (data managers). A decision is final.")
    static final class Reject extends AdminCommand {
        @Parameters(paramLabel = "JOB", description = "The job id.")
        String job;
        @Option(names = "--reason", required = true, paramLabel = "TEXT",
                description = "Why; shown to the requester, so no patient data.")
        String reason;

        @Override
        public void run() {
            UseRequestEntry e = call(st -> st.rejectUse(RejectUseRequest.newBuilder().setJobId(job).setReason(reason)
                    .build())).getRequest();
            out().printf("use request %s rejected by %s at %s%n", e.getJobId(), e.getDecidedBy(), e.getDecidedAt());
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check every stored object's digest, the object files and the datasets' Merkle roots"
                    + " (data managers, compliance officers).",
                    "Exit code: 0 clean, 1 problems found (each altered, missing or extra object is named) or error."})
    static final class Verify extends AdminCommand {
        @Override
        public void run() {
            VerifyStoreResponse r = call(st -> st.verifyStore(VerifyStoreRequest.getDefaultInstance()));
            for (StoreFinding f : r.getFindingsList()) {
                out().println(f.getKind() + ": " + (f.getObjectId().isEmpty() ? "" : "object " + f.getObjectId() + " ")
                        + (f.getPath().isEmpty() ? "" : "(" + f.getPath() + ") ") + f.getReason());
            }
            r.getDatasetRootsMap().forEach((d, root) -> out().println("dataset " + d + ": root " + root));
            if (!r.getOk()) {
                out().flush();
                throw new CliException("the store is not intact: " + r.getFindingsCount() + " problem(s) in "
                        + r.getChecked() + " checked object(s), listed above");
            }
            out().printf("store intact: %d object(s) checked%n", r.getChecked());
        }
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
