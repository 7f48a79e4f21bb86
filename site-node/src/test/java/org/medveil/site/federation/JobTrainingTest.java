package org.medveil.site.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.medveil.governance.job.JobSpec;
import org.medveil.proto.rounds.RoundStart;

/** A site trains as the signed job says, whatever a round start asks. */
class JobTrainingTest {

    static final JobSpec SPEC = JobSpec.parse("""
            name: nodules
            project: lung
            model: cnn:input=32,filters=8
            engine: torch
            seed: 7
            rounds: 3
            local:
              epochs: 2
              maxSteps: 50
              batchSize: 16
              learningRate: 0.002
            strategy:
              name: fedprox
              mu: 0.01
            minSites: 1
            he: n4096
            selection:
              modalities: [CT]
              categories: [clinical-structural]
              purpose: research
            sites:
              - {site: hospital-a, dua: dua-a}
            """, "job.yaml");

    /** What an honest coordinator sends: the signed values repeated. */
    static RoundStart.Builder honest() {
        return RoundStart.newBuilder().setRound(4).setModelSpec("cnn:input=32,filters=8").setEpochs(2).setMaxSteps(50)
                .setBatchSize(16).setLearningRate(0.002).setMu(0.01).setSeed(7 + 4);
    }

    @Test
    void theRequestCarriesTheSignedModelEngineAndHyperparameters() {
        LocalTraining.JobTraining plan = LocalTraining.JobTraining.of(SPEC);
        float[] global = {1, 2, 3};
        LocalTraining.TrainingRequest r = plan.request("job-1", honest().build(), global);
        assertEquals("cnn:input=32,filters=8", r.modelSpec());
        assertEquals("torch", r.engine());
        assertEquals(4, r.round());
        assertEquals(2, r.epochs());
        assertEquals(50, r.maxSteps());
        assertEquals(16, r.batchSize());
        assertEquals(0.002, r.learningRate());
        assertEquals(0.01, r.mu());
        assertEquals(7 + 4, r.seed(), "each round's batches come from the job's seed and the round");
        assertEquals(7, r.splitSeed(), "one held-out split for the whole job");
        assertEquals(SPEC.selection(), r.selection());
    }

    @Test
    void aRoundStartThatAltersAnySignedValueIsRefusedNamingIt() {
        LocalTraining.JobTraining plan = LocalTraining.JobTraining.of(SPEC);
        record Change(String field, UnaryOperator<RoundStart.Builder> change) {
        }
        for (Change c : new Change[] {
                new Change("model", b -> b.setModelSpec("torchscript:file=other.pt,sha256=" + "a".repeat(64))),
                new Change("epochs", b -> b.setEpochs(200)),
                new Change("maxSteps", b -> b.setMaxSteps(0)),
                new Change("batchSize", b -> b.setBatchSize(1)),
                new Change("learningRate", b -> b.setLearningRate(5)),
                new Change("mu", b -> b.setMu(0)),
                new Change("seed", b -> b.setSeed(7))}) {
            RoundStart rs = c.change().apply(honest()).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> plan.request("job-1", rs, new float[3]), c.field());
            assertTrue(e.getMessage().contains("asks for " + c.field() + " "), e.getMessage());
        }
    }
}
