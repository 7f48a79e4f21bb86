package org.medveil.coordinator;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.medveil.coordinator.jobs.JobRecords;
import org.medveil.coordinator.jobs.JobRefusedException;
import org.medveil.coordinator.jobs.JobService;
import org.medveil.coordinator.persistence.ModelFiles;
import org.medveil.governance.pki.Role;
import org.medveil.proto.admin.AbortJobRequest;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.GetJobRequest;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.ListJobsRequest;
import org.medveil.proto.admin.ListJobsResponse;
import org.medveil.proto.admin.ListSitesRequest;
import org.medveil.proto.admin.ListSitesResponse;
import org.medveil.proto.admin.ManifestFile;
import org.medveil.proto.admin.OpenConsoleRequest;
import org.medveil.proto.admin.OpenConsoleResponse;
import org.medveil.coordinator.web.ConsoleLogins;
import org.medveil.coordinator.web.ConsoleServer;
import org.medveil.proto.admin.ResultHeader;
import org.medveil.proto.admin.ResultPart;
import org.medveil.proto.admin.SubmitJobHeader;
import org.medveil.proto.admin.SubmitJobPart;
import org.medveil.proto.admin.SubmitJobResponse;
import org.medveil.proto.admin.WhoAmIRequest;
import org.medveil.proto.admin.WhoAmIResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The user-facing API. Who may call what is decided by {@link AccessPolicy} before a call gets here. */
final class AdminService extends AdminGrpc.AdminImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
    private static final int SLICE = 1 << 20;
    /** Initial parameters above this are refused (a model of 2^31 float32 values). */
    private static final long MAX_PARAMETER_BYTES = 8L << 30;

    private final SiteRegistry registry;
    private final JobService jobs;
    private final JobRecords records;
    private final ModelFiles models;
    private final Path jobsDir;
    private final byte[] coordinatorCertificate;
    private final java.util.function.Supplier<ConsoleServer> console;

    AdminService(SiteRegistry registry, JobService jobs, JobRecords records, ModelFiles models, Path jobsDir,
            byte[] coordinatorCertificate, java.util.function.Supplier<ConsoleServer> console) {
        this.console = console;
        this.registry = registry;
        this.jobs = jobs;
        this.records = records;
        this.models = models;
        this.jobsDir = jobsDir;
        this.coordinatorCertificate = coordinatorCertificate;
    }

    @Override
    public void listSites(ListSitesRequest request, StreamObserver<ListSitesResponse> out) {
        out.onNext(ListSitesResponse.newBuilder().addAllSites(registry.list()).build());
        out.onCompleted();
    }

    @Override
    public void whoAmI(WhoAmIRequest request, StreamObserver<WhoAmIResponse> out) {
        CallerInterceptor.Caller c = CallerInterceptor.CALLER.get();
        out.onNext(WhoAmIResponse.newBuilder().setName(c.identity().name()).setKind(c.identity().kind().id())
                .setRole(c.identity().role() == null ? "" : c.identity().role().id())
                .setProject(c.identity().project()).setCertificateFingerprint(c.fingerprint()).build());
        out.onCompleted();
    }

    /** The caller's certificate (checked by this call's TLS handshake and interceptor) is the login. */
    @Override
    public void openConsole(OpenConsoleRequest request, StreamObserver<OpenConsoleResponse> out) {
        CallerInterceptor.Caller c = CallerInterceptor.CALLER.get();
        ConsoleServer web = console.get();
        if (web == null) {
            out.onError(Status.FAILED_PRECONDITION.withDescription("the web console is off on this coordinator;"
                    + " the operator starts it with 'medveil coordinator serve --console PORT'").asRuntimeException());
            return;
        }
        String url = web.loginLink(new ConsoleLogins.User(c.identity().name(), c.identity().role(), c.fingerprint(),
                c.certificate()));
        java.time.Instant expires = web.logins().linkExpiry();
        out.onNext(OpenConsoleResponse.newBuilder().setUrl(url).setExpires(Timestamps.of(expires)).build());
        out.onCompleted();
    }

    /** Header first, then the initial parameters in slices, spooled to a file: never all in memory. */
    @Override
    public StreamObserver<SubmitJobPart> submitJob(StreamObserver<SubmitJobResponse> out) {
        CallerInterceptor.Caller caller = CallerInterceptor.CALLER.get();
        Path spool;
        OutputStream sink;
        try {
            Files.createDirectories(jobsDir);
            spool = Files.createTempFile(jobsDir, ".submit-", ".params");
            sink = Files.newOutputStream(spool);
        } catch (IOException e) {
            out.onError(Status.UNAVAILABLE.withDescription("the coordinator cannot spool the parameters: "
                    + e.getMessage()).asRuntimeException());
            return noop();
        }
        return new StreamObserver<>() {
            private SubmitJobHeader header;
            private long bytes;
            private boolean failed;

            @Override
            public void onNext(SubmitJobPart p) {
                if (failed) {
                    return;
                }
                try {
                    if (p.hasHeader()) {
                        if (header != null) {
                            fail(Status.INVALID_ARGUMENT.withDescription("two job headers in one submission"));
                            return;
                        }
                        header = p.getHeader();
                    } else {
                        if (header == null) {
                            fail(Status.INVALID_ARGUMENT.withDescription("the job header must come first"));
                            return;
                        }
                        bytes += p.getParameters().size();
                        if (bytes > MAX_PARAMETER_BYTES) {
                            fail(Status.RESOURCE_EXHAUSTED.withDescription("initial parameters above "
                                    + (MAX_PARAMETER_BYTES >> 30) + " GiB are refused"));
                            return;
                        }
                        p.getParameters().writeTo(sink);
                    }
                } catch (IOException e) {
                    fail(Status.UNAVAILABLE.withDescription("cannot spool the parameters: " + e.getMessage()));
                }
            }

            private void fail(Status s) {
                failed = true;
                close();
                out.onError(s.asRuntimeException());
            }

            private void close() {
                try {
                    sink.close();
                    Files.deleteIfExists(spool);
                } catch (IOException e) {
                    LOG.debug("cannot remove {}: {}", spool, e.toString());
                }
            }

            @Override
            public void onError(Throwable t) {
                close();
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                try {
                    sink.close();
                    if (header == null) {
                        throw Status.INVALID_ARGUMENT.withDescription("no job header was sent").asRuntimeException();
                    }
                    if (bytes != header.getParameterCount() * 4) {
                        throw Status.INVALID_ARGUMENT.withDescription("the header names " + header.getParameterCount()
                                + " parameters but " + bytes + " bytes arrived").asRuntimeException();
                    }
                    String digest;
                    try (InputStream in = Files.newInputStream(spool)) {
                        digest = models.write(in);
                    }
                    JobStatus s = jobs.submit(caller.fingerprint(), header, digest);
                    out.onNext(SubmitJobResponse.newBuilder().setJobId(s.getJobId()).setStatus(s).build());
                    out.onCompleted();
                } catch (JobRefusedException e) {
                    out.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
                } catch (StatusRuntimeException e) {
                    out.onError(e);
                } catch (IOException | RuntimeException e) {
                    LOG.error("job submission failed: {}", e.toString());
                    out.onError(Status.INTERNAL.withDescription("the coordinator could not record the job: "
                            + e.getMessage()).asRuntimeException());
                } finally {
                    close();
                }
            }
        };
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
        out.onNext(ListJobsResponse.newBuilder().addAllJobs(jobs.list()).build());
        out.onCompleted();
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<JobStatus> out) {
        answer(out, () -> jobs.status(request.getJobId()));
    }

    @Override
    public void watchJob(GetJobRequest request, StreamObserver<JobStatus> out) {
        ServerCallStreamObserver<JobStatus> call = (ServerCallStreamObserver<JobStatus>) out;
        Object lock = new Object();
        Runnable[] stop = new Runnable[1];
        try {
            synchronized (lock) {
                stop[0] = jobs.watch(request.getJobId(), s -> {
                    synchronized (lock) {
                        if (call.isCancelled()) {
                            return;
                        }
                        call.onNext(s);
                        if (JobRecords.ENDED.contains(s.getState())) {
                            call.onCompleted();
                            stop[0].run();
                        }
                    }
                });
                JobStatus now = jobs.status(request.getJobId());
                call.onNext(now);
                if (JobRecords.ENDED.contains(now.getState())) {
                    stop[0].run();
                    call.onCompleted();
                    return;
                }
            }
            call.setOnCancelHandler(stop[0]);
        } catch (JobRefusedException e) {
            out.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public void abortJob(AbortJobRequest request, StreamObserver<JobStatus> out) {
        CallerInterceptor.Caller c = CallerInterceptor.CALLER.get();
        answer(out, () -> {
            JobRecords.Job j = records.job(request.getJobId());
            if (c.identity().role() != Role.PROJECT_ADMIN && !j.job().researcherFingerprint().equals(c.fingerprint())) {
                throw Status.PERMISSION_DENIED.withDescription("only a project admin or the researcher who submitted job "
                        + j.jobId() + " may abort it").asRuntimeException();
            }
            return jobs.abort(request.getJobId(), request.getReason(), c.identity().describe());
        });
    }

    @Override
    public void downloadResult(GetJobRequest request, StreamObserver<ResultPart> out) {
        try {
            JobRecords.Job j = records.job(request.getJobId());
            if (!"completed".equals(j.state()) || j.finalModelDigest() == null) {
                throw Status.FAILED_PRECONDITION.withDescription("job " + j.jobId() + " is " + j.state()
                        + "; its result exists once it completes ('medveil job watch " + j.jobId() + "')")
                        .asRuntimeException();
            }
            long size = Files.size(models.path(j.finalModelDigest()));
            out.onNext(ResultPart.newBuilder().setHeader(ResultHeader.newBuilder().setJobId(j.jobId())
                    .setSignedJob(ByteString.copyFrom(j.job().signedBytes()))
                    .setJobSignature(ByteString.copyFrom(j.job().signature()))
                    .setResearcherCertificate(ByteString.copyFrom(j.job().researcherDer()))
                    .setModelDigest(j.finalModelDigest()).setParameterCount(size / 4)
                    .setCoordinatorCertificate(ByteString.copyFrom(coordinatorCertificate))).build());
            try (InputStream in = models.open(j.finalModelDigest())) {
                byte[] buf = new byte[SLICE];
                int n;
                while ((n = in.readNBytes(buf, 0, SLICE)) > 0) {
                    out.onNext(ResultPart.newBuilder().setParameters(ByteString.copyFrom(buf, 0, n)).build());
                }
            }
            Path manifests = jobsDir.resolve(j.jobId()).resolve("manifests");
            if (Files.isDirectory(manifests)) {
                try (Stream<Path> s = Files.list(manifests)) {
                    for (Path f : s.filter(p -> !p.getFileName().toString().endsWith(".tmp")).sorted().toList()) {
                        out.onNext(ResultPart.newBuilder().setManifest(ManifestFile.newBuilder()
                                .setName(f.getFileName().toString()).setContent(ByteString.copyFrom(Files.readAllBytes(f))))
                                .build());
                    }
                }
            }
            out.onCompleted();
        } catch (JobRefusedException e) {
            out.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
        } catch (StatusRuntimeException e) {
            out.onError(e);
        } catch (IOException e) {
            out.onError(Status.INTERNAL.withDescription("cannot read the result: " + e.getMessage()).asRuntimeException());
        }
    }

    private interface Answer<T> {
        T get();
    }

    private static <T> void answer(StreamObserver<T> out, Answer<T> a) {
        try {
            out.onNext(a.get());
            out.onCompleted();
        } catch (JobRefusedException e) {
            out.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
        } catch (StatusRuntimeException e) {
            out.onError(e);
        }
    }

    private static <T> StreamObserver<T> noop() {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
