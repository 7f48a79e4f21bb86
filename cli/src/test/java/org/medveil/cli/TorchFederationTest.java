package org.medveil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.demo.Demo;
import org.medveil.cli.job.JobClient;
import org.medveil.governance.job.JobSpec;
import org.medveil.models.engine.Engines;
import org.medveil.models.engine.TorchScriptFile;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;
import org.medveil.proto.admin.JobSiteStatus;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.testsupport.External;

/**
 * A federation whose sites train with the libtorch engine a TorchScript module exported by
 * Python PyTorch (Debian's python3-torch): the researcher's submit pins the file's digest, each
 * site runs only the copy its IT placed in its models folder, and a site without it declines.
 */
class TorchFederationTest {

    /** The project's exporter: a small CNN scripted and saved by PyTorch, input size free (global pooling). */
    static final Path EXPORTER = Path.of("..", "models-torch", "src", "test", "python", "export_torchscript.py");

    @TempDir
    Path dir;
    private Demo demo;

    @AfterEach
    void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    private static final Demo.Progress QUIET = new Demo.Progress() {
        @Override
        public void step(String what) {
        }

        @Override
        public void job(JobStatus s) {
        }
    };

    /** Exports the module with python3-torch; skips (fails under CI=true) without it or the torch engine. */
    static Path exportModule(Path dir) throws Exception {
        External.require(Engines.names().contains("torch"), "the torch engine in this build (built with -Dno-torch?)");
        External.require(Engines.named("torch").unavailableReason().isEmpty(),
                "a machine the torch engine runs on: " + Engines.named("torch").unavailableReason().orElse(""));
        Path python = Path.of("/usr/bin/python3");
        External.require(Files.isExecutable(python)
                        && External.run(List.of(python.toString(), "-c", "import torch")).exit() == 0,
                "PyTorch for /usr/bin/python3 (apt-get install -y python3-torch)");
        Path out = dir.resolve("researcher").resolve("lesion.pt");
        Files.createDirectories(out.getParent());
        External.Result r = External.run(List.of(python.toString(), EXPORTER.toString(), out.toString(), "1"));
        assertEquals(0, r.exit(), r.err(java.nio.charset.StandardCharsets.UTF_8));
        return out;
    }

    @Test
    @DisplayName("a TorchScript model from Python trains over 2 encrypted rounds at the sites that approved the file;"
            + " the site without it declines saying so; the result loads as a TorchScript model")
    void torchScriptJob() throws Exception {
        Path module = exportModule(dir);
        String model = "torchscript:" + module + ",input=16";
        demo = new Demo(new Demo.Options(3, 16, 8, 2, 1, true, model, 4, dir.resolve("demo"), "torch"));
        demo.start(QUIET);
        // hospital-3's IT never approved the file
        Files.delete(dir.resolve("demo/sites/hospital-3/models/lesion.pt"));

        JobSpec spec = JobClient.pinModelFile(JobSpec.parse(demo.jobYaml(List.of("hospital-1", "hospital-2",
                "hospital-3")), "test job"), module.getParent());
        ModelSpec signed = ModelSpec.parse(spec.model());
        assertEquals("lesion.pt", signed.params().get(TorchScriptFile.FILE), "only the file name travels");
        assertEquals(TorchScriptFile.sha256(Files.readAllBytes(module)), signed.params().get(TorchScriptFile.SHA256));
        assertEquals("torch", spec.engine());

        List<SiteAgreement> agreements = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            agreements.add(JobClient.agreement(demo.agreement(i, "research")));
        }
        String jobId = demo.submit(spec, agreements);
        JobStatus done = demo.watch(jobId, QUIET);
        assertEquals("completed", done.getState(), done.toString());
        JobSiteStatus declined = done.getSitesList().stream().filter(s -> s.getSite().equals("hospital-3"))
                .findFirst().orElseThrow();
        assertEquals("declined", declined.getDecision());
        assertTrue(declined.getReason().contains("not in this site's models folder"), declined.getReason());
        assertEquals(List.of("hospital-1", "hospital-2"), done.getRoundSummaries(1).getParticipantsList());

        Path result = dir.resolve("result");
        JobClient.result(demo.researcher(), jobId, result, module.getParent());
        float[] trained = JobClient.floats(Files.readAllBytes(result.resolve("model.params")));
        try (TrainableModel back = Engines.named("torch").load(ModelSpec.parse(model), Optimizer.adam(0.002),
                result.resolve("model.pt"))) {
            assertEquals(TrainableModel.digest(trained), back.parameterDigest(), "model.pt holds the job's result");
        }
        try (TrainableModel initial = JobClient.model(spec, module.getParent())) {
            assertTrue(!TrainableModel.digest(trained).equals(initial.parameterDigest()), "two rounds moved the weights");
        }
    }
}
