package org.medveil.site.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.job.DataSelection;
import org.medveil.models.data.Split;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelZoo;
import org.medveil.models.spec.Network;
import org.medveil.models.spec.Optimizer;
import org.medveil.site.federation.LocalTraining;
import org.medveil.site.federation.LocalTraining.TrainingOutcome;
import org.medveil.site.federation.LocalTraining.TrainingRequest;

/**
 * One round of local training on a real store (synthetic CT ingested through the real pipeline):
 * a tiny CNN, one epoch. Checks Δ's length and that it moved, the sample count against an
 * independent hold-out split, the evaluation sums, the audit record and that no planted patient
 * ID or name reaches the audit log.
 */
class StoreLocalTrainingTest {

    static final String SPEC = "cnn:input=16,filters=2,dense=8";
    static final long SEED = 11;

    @TempDir
    static Path dir;
    static TrainingSite site;
    static float[] global;
    static TrainingOutcome outcome;

    @BeforeAll
    static void trainOnce() throws Exception {
        site = new TrainingSite(dir, 24);
        Network net = ModelZoo.build(ModelSpec.parse(SPEC), Optimizer.adam(0.01), 1);
        global = net.parameters();
        outcome = site.training().train(request("job-a", 3, global));
    }

    @AfterAll
    static void close() {
        site.close();
    }

    static TrainingRequest request(String job, int round, float[] w) {
        return new TrainingRequest(job, round, new DataSelection(List.of("CT"), List.of(), List.of(), 3,
                Purpose.RESEARCH), SPEC, "dl4j", w, 1, null, 4, 0.01, 0.1, SEED + round, SEED);
    }

    @Test
    void deltaHasTheModelsLengthAndMoved() {
        assertEquals(global.length, outcome.delta().length);
        double norm = 0;
        for (float d : outcome.delta()) {
            norm += d * d;
        }
        assertTrue(norm > 0, "one epoch of training changed nothing");
        assertTrue(Double.isFinite(outcome.meanLoss()) && outcome.meanLoss() > 0, "loss " + outcome.meanLoss());
    }

    @Test
    void samplesAreTheTrainingPartOfAnIndependentSplit() {
        TrainingData data = new TrainingData(site.store, site.rules, site.clock);
        List<TrainingData.Selected> sel = data.select(request("x", 0, global).selection());
        assertEquals(site.selectable().size(), sel.size());
        Split split = Split.holdOut(data.load(sel, 16), StoreLocalTraining.HOLD_OUT_FRACTION, SEED);
        assertTrue(split.test().size() > 0 && split.train().size() > 0, "the fixture needs both parts");
        assertEquals(split.train().size(), outcome.samples());

        long pos = Arrays.stream(outcome.positiveScoreHistogram()).sum();
        long neg = Arrays.stream(outcome.negativeScoreHistogram()).sum();
        assertEquals(TrainingOutcome.SCORE_BINS, outcome.positiveScoreHistogram().length);
        assertEquals(TrainingOutcome.SCORE_BINS, outcome.negativeScoreHistogram().length);
        assertEquals(split.test().size(), pos + neg, "histograms sum to the held-out count");
        assertEquals(split.test().stream().filter(i -> i.label() == 1).count(), pos, "positives by true label");
        assertEquals(pos, outcome.truePositives() + outcome.falseNegatives());
        assertEquals(neg, outcome.trueNegatives() + outcome.falsePositives());
    }

    @Test
    void aGlobalVectorOfAnotherLengthIsRefused() {
        float[] wrong = Arrays.copyOf(global, global.length - 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> site.training().train(request("job-b", 1, wrong)));
        assertTrue(e.getMessage().contains(Integer.toString(wrong.length)) && e.getMessage().contains(SPEC.substring(0, 3)),
                e.getMessage());
    }

    @Test
    @Tag("REQ-USE-4")
    void theRoundIsAuditedWithoutPatientData() throws Exception {
        byte[] audit = site.auditBytes();
        String text = new String(audit, StandardCharsets.UTF_8);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> rounds = new ArrayList<>();
        for (String line : text.lines().filter(l -> l.startsWith("{")).toList()) {
            com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
            if (StoreLocalTraining.ROUND_RECORD.equals(n.path("type").asText())
                    && "job-a".equals(n.path("fields").path("job").asText())) {
                rounds.add(n);
            }
        }
        assertEquals(1, rounds.size(), "one training-round record for job-a");
        com.fasterxml.jackson.databind.JsonNode f = rounds.get(0).path("fields");
        assertEquals("3", f.path("round").asText());
        assertEquals(Long.toString(outcome.samples()), f.path("trainImages").asText());
        assertEquals(Integer.toString(global.length), f.path("parameters").asText());
        assertEquals(Integer.toString(site.selectable().size()), f.path("selected").asText());
        String r = rounds.get(0).toString();
        // the markers were planted: the originals in the store carry them (decrypted here)
        String original = site.originals.values().iterator().next();
        assertTrue(contains(site.store.read(original), TrainingSite.MARKER_ID.getBytes(StandardCharsets.US_ASCII)),
                "fixture: marker not planted in the original");
        assertFalse(contains(audit, TrainingSite.MARKER_ID.getBytes(StandardCharsets.US_ASCII)),
                "planted patient ID in the audit log");
        assertFalse(contains(audit, TrainingSite.MARKER_NAME.getBytes(StandardCharsets.US_ASCII)),
                "planted patient name in the audit log");
        // training records carry no patient key either (ingest records do, by design)
        for (String key : patientKeys()) {
            assertFalse(r.contains(key), "patient key in the training record");
        }
    }

    @Test
    void summaryAgreesWithTraining() {
        LocalTraining.DataSummary s = site.training().summarize(request("x", 0, global).selection());
        assertEquals(site.selectable().size(), s.total());
    }

    private static List<String> patientKeys() {
        return site.store.index().read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT DISTINCT patient_key FROM objects WHERE patient_key IS NOT NULL");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
