package org.medveil.cli.job;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.dua.DataUseAgreement;
import org.medveil.governance.dua.DuaSignature;
import org.medveil.governance.job.JobSpec;
import org.medveil.governance.job.SignedJob;
import org.medveil.governance.pki.Role;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TorchScriptFile;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.AgreementSignature;
import org.medveil.proto.admin.GetJobRequest;
import org.medveil.proto.admin.ResultHeader;
import org.medveil.proto.admin.ResultPart;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.proto.admin.SubmitJobHeader;
import org.medveil.proto.admin.SubmitJobPart;
import org.medveil.proto.admin.SubmitJobResponse;

/**
 * A researcher's side of a job: builds the initial model from the spec (seeded, on the
 * researcher's machine), signs the job over the initial parameters' digest, submits it with the
 * sites' signed data use agreements, and downloads the result with its manifest chain. Used by
 * {@code medveil job} and by the demo.
 */
public final class JobClient {

    /** Parameters travel in slices well under gRPC's default 4 MiB message limit. */
    static final int SLICE_BYTES = 1 << 20;

    private JobClient() {
    }

    /**
     * The job with a TorchScript model's file pinned: {@code file} becomes the plain file name
     * (sites look it up in their own models folder) and {@code sha256} its digest, both signed
     * with the job. A relative file is read against {@code specFolder}. Other jobs are returned as
     * they are.
     */
    public static JobSpec pinModelFile(JobSpec spec, Path specFolder) {
        ModelSpec m = ModelSpec.parse(spec.model());
        if (!ModelSpec.TORCHSCRIPT.equals(m.name())) {
            return spec;
        }
        ModelSpec pinned = TorchScriptFile.pinned(m, specFolder);
        Path file = Path.of(pinned.params().get(TorchScriptFile.FILE));
        return spec.withModel(pinned.with(TorchScriptFile.FILE, file.getFileName().toString()).toString());
    }

    /**
     * The job's model built with its engine on the researcher's machine: a zoo model from the
     * spec and the job's seed, or a TorchScript module's own weights, its file found in
     * {@code modelFolder} and checked against the digest the job names.
     */
    public static TrainableModel model(JobSpec spec, Path modelFolder) {
        ModelSpec m = ModelSpec.parse(spec.model());
        if (ModelSpec.TORCHSCRIPT.equals(m.name())) {
            m = TorchScriptFile.locatedIn(m, modelFolder);
        }
        return Engines.usable(spec.engine()).build(m, Optimizer.adam(spec.local().learningRate()), spec.seed());
    }

    /** The initial parameters of a job ({@link #model}). */
    public static float[] initialParameters(JobSpec spec, Path modelFolder) {
        try (TrainableModel net = model(spec, modelFolder)) {
            return net.parameters();
        }
    }

    /** float32 little-endian, in the model's documented order: what is hashed, signed and sent. */
    public static byte[] bytes(float[] parameters) {
        ByteBuffer b = ByteBuffer.allocate(parameters.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(parameters);
        return b.array();
    }

    public static float[] floats(byte[] bytes) {
        if (bytes.length % 4 != 0) {
            throw new IllegalArgumentException("a parameter file must hold whole float32 values; " + bytes.length + " bytes");
        }
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    /** A site's agreement with the signatures stored next to its file ({@code dua sign}). */
    public static SiteAgreement agreement(Path duaFile) {
        DataUseAgreement dua = DataUseAgreement.read(duaFile);
        SiteAgreement.Builder b = SiteAgreement.newBuilder().setSite(dua.parties().site())
                .setDua(ByteString.copyFrom(dua.canonicalBytes()));
        for (Role role : List.of(Role.DATA_MANAGER, Role.RESEARCHER)) {
            DuaSignature s = DuaSignature.read(duaFile, role);
            if (s == null) {
                throw new JobClientException(duaFile + " has no " + role.id() + " signature next to it; run 'medveil"
                        + " dua sign " + duaFile + " --kit KIT' with the " + role.id() + "'s kit");
            }
            try {
                b.addSignatures(AgreementSignature.newBuilder().setRole(role.id())
                        .setSignature(ByteString.copyFrom(s.signature()))
                        .setCertificate(ByteString.copyFrom(s.certificate().getEncoded())));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return b.build();
    }

    /**
     * Signs and submits; returns the coordinator's answer (job id and first status).
     * {@code modelFolder} holds a TorchScript job's file (unused for zoo models).
     */
    public static SubmitJobResponse submit(ManagedChannel channel, JobSpec spec, Path modelFolder,
            List<SiteAgreement> agreements, CertifiedKey researcher, Instant now) {
        byte[] params = bytes(initialParameters(spec, modelFolder));
        SignedJob job = SignedJob.sign(spec, Sha256.hex(params), researcher, now);
        SubmitJobHeader.Builder h = SubmitJobHeader.newBuilder().setSignedJob(ByteString.copyFrom(job.signedBytes()))
                .setSignature(ByteString.copyFrom(job.signature())).addAllAgreements(agreements)
                .setParameterCount(params.length / 4);
        try {
            h.setResearcherCertificate(ByteString.copyFrom(researcher.certificate().getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        CompletableFuture<SubmitJobResponse> answer = new CompletableFuture<>();
        StreamObserver<SubmitJobPart> up = AdminGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES)
                .submitJob(observer(answer));
        up.onNext(SubmitJobPart.newBuilder().setHeader(h).build());
        for (int off = 0; off < params.length; off += SLICE_BYTES) {
            up.onNext(SubmitJobPart.newBuilder().setParameters(ByteString.copyFrom(params, off,
                    Math.min(SLICE_BYTES, params.length - off))).build());
        }
        up.onCompleted();
        return await(answer);
    }

    /**
     * Downloads the final model and the manifest chain into {@code out}: {@code model.params}
     * (float32 LE), the model in its engine's format ({@link #modelFileName}), {@code job.json} +
     * {@code job.sig} (the signed job), and {@code manifests/} for {@code medveil manifest verify}.
     * {@code modelFolder} holds a TorchScript job's file (unused for zoo models).
     */
    public static ResultHeader result(ManagedChannel channel, String jobId, Path out, Path modelFolder) {
        try {
            Files.createDirectories(out.resolve("manifests"));
            Iterator<ResultPart> parts = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES)
                    .downloadResult(GetJobRequest.newBuilder().setJobId(jobId).build());
            ResultHeader header = null;
            java.io.ByteArrayOutputStream params = new java.io.ByteArrayOutputStream();
            while (parts.hasNext()) {
                ResultPart p = parts.next();
                switch (p.getPartCase()) {
                    case HEADER -> header = p.getHeader();
                    case PARAMETERS -> p.getParameters().writeTo(params);
                    case MANIFEST -> {
                        String name = p.getManifest().getName();
                        if (!name.matches("[A-Za-z0-9._-]{1,100}") || name.startsWith(".")) {
                            throw new JobClientException("the coordinator sent a manifest file with an unsafe name");
                        }
                        Files.write(out.resolve("manifests").resolve(name), p.getManifest().getContent().toByteArray());
                    }
                    default -> { }
                }
            }
            if (header == null) {
                throw new JobClientException("the coordinator sent no result header for job " + jobId);
            }
            byte[] bytes = params.toByteArray();
            if (!Sha256.hex(bytes).equals(header.getModelDigest())) {
                throw new JobClientException("the downloaded parameters do not match the digest the coordinator named;"
                        + " download again");
            }
            Files.write(out.resolve("model.params"), bytes);
            Files.write(out.resolve("job.json"), header.getSignedJob().toByteArray());
            Files.write(out.resolve("job.sig"), header.getJobSignature().toByteArray());
            SignedJob job = SignedJob.of(header.getSignedJob().toByteArray(), header.getJobSignature().toByteArray(),
                    header.getResearcherCertificate().toByteArray());
            try (TrainableModel net = model(job.spec(), modelFolder)) {
                net.setParameters(floats(bytes));
                net.save(out.resolve(modelFileName(job.spec())));
            }
            return header;
        } catch (IOException e) {
            throw new JobClientException("cannot write the result into " + out + ": " + e.getMessage());
        }
    }

    /** {@code model.zip} (DL4J) or {@code model.pt} (libtorch: a TorchScript file). */
    public static String modelFileName(JobSpec spec) {
        return "dl4j".equals(spec.engine()) ? "model.zip" : "model.pt";
    }

    static <T> StreamObserver<T> observer(CompletableFuture<T> f) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                f.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                f.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                f.complete(null);
            }
        };
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(11, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new JobClientException(e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobClientException("interrupted");
        } catch (TimeoutException e) {
            throw new JobClientException("the coordinator did not answer within 11 minutes");
        }
    }
}
