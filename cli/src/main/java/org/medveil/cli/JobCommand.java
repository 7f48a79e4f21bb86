package org.medveil.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.medveil.cli.job.JobClient;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.proto.admin.AbortJobRequest;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.GetJobRequest;
import org.medveil.proto.admin.JobSiteStatus;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.ListJobsRequest;
import org.medveil.proto.admin.ResultHeader;
import org.medveil.proto.admin.RoundSummary;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.proto.admin.SubmitJobResponse;
import org.medveil.site.CoordinatorChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code medveil job ...}: a researcher's jobs at the coordinator. The work is in {@link JobClient}. */
@Command(name = "job", mixinStandardHelpOptions = true,
        description = "Submit federated training jobs and follow them.",
        subcommands = {JobCommand.Submit.class, JobCommand.ListJobs.class, JobCommand.Status.class,
                JobCommand.Watch.class, JobCommand.Abort.class, JobCommand.Result.class})
final class JobCommand extends CommandGroup {

    /** Options every job command has: the user's kit and, optionally, another coordinator address. */
    abstract static class Remote extends OutputCommand {
        @Option(names = "--kit", required = true, paramLabel = "DIR", description = "Your user kit.")
        Path kit;
        @Option(names = "--coordinator", paramLabel = "HOST:PORT", description = "Dial this address instead of the kit's.")
        String coordinator;

        <T> T call(Function<ManagedChannel, T> rpc) {
            Kit k = Kit.load(kit);
            HostNames.HostPort target = coordinator != null ? HostNames.parse(coordinator) : k.coordinatorAddress();
            CoordinatorChannel channels = CoordinatorChannel.forKit(k, target);
            ManagedChannel channel = channels.open();
            try {
                return rpc.apply(channel);
            } catch (StatusRuntimeException e) {
                throw new CliException(channels.explain(e).line());
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = {"Build the initial model from the job spec (seeded, on this machine), sign the job and"
                    + " submit it with each site's signed data use agreement.",
                    "Prints the job id; follow it with 'medveil job watch JOB'."})
    static final class Submit extends Remote {
        @Parameters(index = "0", paramLabel = "JOB.yaml", description = "The job spec (see config/job-example.yaml).")
        Path spec;
        @Option(names = "--dua", required = true, paramLabel = "DUA.yaml",
                description = "A site's data use agreement, signed with 'medveil dua sign' (repeat per site).")
        List<Path> duas;

        @Override
        public void run() {
            Path folder = spec.toAbsolutePath().getParent();
            JobSpec js = JobClient.pinModelFile(JobSpec.read(spec), folder);
            List<SiteAgreement> agreements = new ArrayList<>();
            duas.forEach(d -> agreements.add(JobClient.agreement(d)));
            CertifiedKey key = CertifiedKey.of(Kit.load(kit));
            SubmitJobResponse r = call(ch -> JobClient.submit(ch, js, folder, agreements, key, Instant.now()));
            out().println("submitted job " + r.getJobId() + " (" + js.name() + "): " + r.getStatus().getState());
            out().println("follow it with: medveil job watch " + r.getJobId() + " --kit " + kit);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the coordinator's jobs.")
    static final class ListJobs extends Remote {
        @Override
        public void run() {
            List<JobStatus> jobs = call(ch -> AdminGrpc.newBlockingStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS)
                    .listJobs(ListJobsRequest.getDefaultInstance()).getJobsList());
            if (jobs.isEmpty()) {
                out().println("No jobs yet.");
                return;
            }
            out().printf("%-22s %-20s %-10s %-9s %-10s %s%n", "JOB", "NAME", "STATE", "ROUND", "STRATEGY", "HE");
            for (JobStatus j : jobs) {
                out().printf("%-22s %-20s %-10s %-9s %-10s %s%n", j.getJobId(), j.getName(), j.getState(),
                        j.getCurrentRound() + "/" + j.getRounds(), j.getStrategy(), j.getHe());
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a job: its sites' decisions (with their reasons) and its rounds' aggregated metrics.")
    static final class Status extends Remote {
        @Parameters(index = "0", paramLabel = "JOB")
        String job;

        @Override
        public void run() {
            JobStatus s = call(ch -> AdminGrpc.newBlockingStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS)
                    .getJob(GetJobRequest.newBuilder().setJobId(job).build()));
            print(out(), s);
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = "Follow a job until it ends: one line per change. Exits 0 when it completes, 1 otherwise.")
    static final class Watch extends Remote {
        @Parameters(index = "0", paramLabel = "JOB")
        String job;

        @Override
        public void run() {
            JobStatus last = call(ch -> {
                Iterator<JobStatus> it = AdminGrpc.newBlockingStub(ch)
                        .watchJob(GetJobRequest.newBuilder().setJobId(job).build());
                JobStatus s = null;
                while (it.hasNext()) {
                    s = it.next();
                    out().println(line(s));
                    out().flush();
                }
                return s;
            });
            if (last == null || !"completed".equals(last.getState())) {
                throw new CliException("job " + job + " ended " + (last == null ? "without a status" : last.getState()
                        + (last.getReason().isEmpty() ? "" : ": " + last.getReason())));
            }
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Abort a job (project admins, or the researcher who submitted it). Sites forget its keys.")
    static final class Abort extends Remote {
        @Parameters(index = "0", paramLabel = "JOB")
        String job;
        @Option(names = "--reason", paramLabel = "TEXT", description = "Why; shown in the job's status.")
        String reason = "";

        @Override
        public void run() {
            JobStatus s = call(ch -> AdminGrpc.newBlockingStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS)
                    .abortJob(AbortJobRequest.newBuilder().setJobId(job).setReason(reason).build()));
            out().println(line(s));
        }
    }

    @Command(name = "result", mixinStandardHelpOptions = true,
            description = {"Download a completed job's model (model.zip for DL4J, model.params as float32) with the"
                    + " signed job and its manifest chain.",
                    "Check the chain offline with: medveil manifest verify OUT/manifests --ca CA.pem"})
    static final class Result extends Remote {
        @Parameters(index = "0", paramLabel = "JOB")
        String job;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write into.")
        Path outDir;
        @Option(names = "--models", paramLabel = "DIR", defaultValue = ".",
                description = "Where the job's TorchScript file is, for a torchscript: job (default: this folder).")
        Path models;

        @Override
        public void run() {
            ResultHeader h = call(ch -> JobClient.result(ch, job, outDir, models.toAbsolutePath()));
            out().println("model sha256:" + h.getModelDigest() + " (" + h.getParameterCount() + " parameters) in "
                    + outDir.resolve("model.params") + " and, in the engine's format, beside it");
            out().println("manifests in " + outDir.resolve("manifests"));
        }
    }

    static String line(JobStatus s) {
        StringBuilder b = new StringBuilder(s.getJobId() + " " + s.getState());
        if (s.getCurrentRound() > 0) {
            b.append(" round ").append(s.getCurrentRound()).append('/').append(s.getRounds());
            RoundSummary r = s.getRoundSummaries(s.getRoundSummariesCount() - 1);
            if ("completed".equals(r.getState())) {
                b.append(String.format(" loss %.4f accuracy %.3f auc %.3f (%d sites)", r.getLoss(), r.getAccuracy(),
                        r.getAuc(), r.getParticipantsCount()));
            }
        }
        if (!s.getReason().isEmpty()) {
            b.append(": ").append(s.getReason());
        }
        return b.toString();
    }

    static void print(java.io.PrintWriter out, JobStatus s) {
        out.println("job " + s.getJobId() + " (" + s.getName() + "): " + s.getState()
                + (s.getReason().isEmpty() ? "" : " — " + s.getReason()));
        out.println("strategy " + s.getStrategy() + ", HE " + s.getHe() + ", " + s.getRounds() + " rounds, min sites "
                + s.getMinSites() + ", threshold " + s.getThreshold());
        for (JobSiteStatus site : s.getSitesList()) {
            out.printf("  site %-20s %-9s %s%n", site.getSite(), site.getDecision(), site.getReason());
        }
        for (RoundSummary r : s.getRoundSummariesList()) {
            out.printf("  round %3d %-9s sites %d loss %.4f accuracy %.3f auc %.3f sensitivity %.3f specificity %.3f%s%n",
                    r.getRound(), r.getState(), r.getParticipantsCount(), r.getLoss(), r.getAccuracy(), r.getAuc(),
                    r.getSensitivity(), r.getSpecificity(),
                    r.getLeftOutCount() == 0 ? "" : " (left out: " + String.join(", ", r.getLeftOutList()) + ")");
        }
    }
}
