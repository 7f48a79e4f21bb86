package org.medveil.governance.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.consent.Purpose;

/** Job specs: strict YAML with field and line in every error, defaults filled in, canonical bytes. */
class JobSpecTest {

    /** Line numbers matter in these tests: line 1 is "name:". */
    static final String MINIMAL = """
            name: nodules
            project: lung
            model: cnn:input=32,filters=8
            seed: 7
            rounds: 3
            local:
              epochs: 2
            strategy:
              name: fedavg
            minSites: 2
            he: n4096
            selection:
              modalities: [CT]
              categories: [clinical-structural]
              purpose: research
            sites:
              - {site: hospital-a, dua: dua-a}
              - {site: hospital-b, dua: dua-b}
              - {site: hospital-c, dua: dua-c}
            """;

    static JobSpec parse(String yaml) {
        return JobSpec.parse(yaml, "job.yaml");
    }

    static ConfigException refused(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml));
    }

    @Test
    void theCommentedExampleInConfigLoads() {
        JobSpec s = JobSpec.read(Path.of("..", "config", "job-example.yaml"));
        assertEquals("chest-ct-nodules-v1", s.name());
        assertEquals(JobSpec.Algorithm.FEDPROX, s.strategy().name());
        assertEquals(0.01, s.strategy().mu());
        assertEquals(200, s.local().maxSteps());
        assertEquals(3, s.sites().size());
        assertEquals(2, s.threshold());
        assertEquals("dua-2026-008", s.duaFor("hospital-b"));
        assertEquals(List.of("CHEST"), s.selection().bodyParts());
        assertTrue(s.encrypted());
    }

    @Test
    void defaultsAreFilledInAndWrittenIntoTheCanonicalBytes() {
        JobSpec s = parse(MINIMAL);
        assertEquals(32, s.local().batchSize());
        assertEquals(0.001, s.local().learningRate());
        assertNull(s.local().maxSteps());
        assertEquals(600, s.roundTimeoutSeconds());
        assertEquals(3, s.selection().maxGrade());
        assertEquals(2, s.threshold()); // ceil(2*3/3)
        assertEquals(List.of(), s.selection().bodyParts());
        String json = new String(s.canonicalBytes(), StandardCharsets.UTF_8);
        assertEquals(JobSpec.DEFAULT_ENGINE, s.engine());
        for (String field : List.of("\"engine\":\"dl4j\"", "\"batchSize\":32", "\"learningRate\":\"0.001\"", "\"roundTimeoutSeconds\":600",
                "\"maxGrade\":3", "\"threshold\":2", "\"seed\":\"7\"", "\"he\":\"n4096\"", "\"bodyParts\":[]")) {
            assertTrue(json.contains(field), field + " in " + json);
        }
        assertArrayEquals(Jcs.canonicalize(Jcs.parse(s.canonicalBytes())), s.canonicalBytes(), "RFC 8785 form");
        assertEquals(64, s.digest().length());
    }

    @Test
    void theDefaultThresholdIsTwoThirdsOfTheSitesRoundedUp() {
        assertEquals(3, parse(MINIMAL.replace("sites:\n", "sites:\n  - {site: hospital-d, dua: dua-d}\n")).threshold());
        String one = MINIMAL.replace("minSites: 2", "minSites: 1")
                .replace("  - {site: hospital-b, dua: dua-b}\n  - {site: hospital-c, dua: dua-c}\n", "");
        assertEquals(1, parse(one).threshold());
    }

    @Test
    void fedadamGetsItsDefaultsAndPlaintextIsRecorded() {
        JobSpec s = parse(MINIMAL.replace("name: fedavg", "name: fedadam\n  beta2: 0.999").replace("he: n4096", "he: plaintext"));
        assertEquals(0.01, s.strategy().serverLearningRate());
        assertEquals(0.9, s.strategy().beta1());
        assertEquals(0.999, s.strategy().beta2());
        assertEquals(1e-3, s.strategy().tau());
        assertFalse(s.encrypted());
        String json = new String(s.canonicalBytes(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"strategy\":{\"beta1\":\"0.9\",\"beta2\":\"0.999\",\"name\":\"fedadam\","
                + "\"serverLearningRate\":\"0.01\",\"tau\":\"0.001\"}"), json);
        assertTrue(json.contains("\"he\":\"plaintext\""), json);
    }

    @Test
    void reformattingKeepsTheDigestAndAnyValueChangesIt() {
        JobSpec s = parse(MINIMAL);
        String reformatted = "# comment\n" + MINIMAL.replace("modalities: [CT]", "modalities:\n    - CT")
                .replace("categories: [clinical-structural]", "categories: [CLINICAL_STRUCTURAL]");
        assertEquals(s.digest(), parse(reformatted).digest(), "comments, layout and enum spelling are not content");
        assertEquals(s.digest(), parse(MINIMAL.replace("  epochs: 2", "  epochs: 2\n  batchSize: 32")).digest(),
                "a default written out is the same job");
        assertFalse(s.digest().equals(parse(MINIMAL.replace("seed: 7", "seed: 8")).digest()));
        assertFalse(s.digest().equals(parse(MINIMAL.replace("seed: 7", "seed: 7\nengine: torch")).digest()),
                "the engine is part of what sites agree to");
        assertFalse(s.digest().equals(parse(MINIMAL.replace("dua: dua-c", "dua: dua-x")).digest()));
    }

    @Test
    void anEngineNameIsCheckedAndReadsBack() {
        JobSpec s = parse(MINIMAL.replace("seed: 7", "seed: 7\nengine: torch"));
        assertEquals("torch", s.engine());
        assertEquals(s, JobSpec.fromCanonical(Jcs.parse(s.canonicalBytes())));
        ConfigException e = refused(MINIMAL.replace("seed: 7", "seed: 7\nengine: ../torch"));
        assertTrue(e.getMessage().contains("engine") && e.getMessage().contains("dl4j or torch"), e.getMessage());
    }

    @Test
    void theCanonicalObjectReadsBackToTheSameSpecIncludingALargeSeed() {
        JobSpec s = parse(MINIMAL.replace("seed: 7", "seed: 9007199254740993")
                .replace("name: fedavg", "name: fedprox\n  mu: 0.05"));
        JobSpec back = JobSpec.fromCanonical(Jcs.parse(s.canonicalBytes()));
        assertEquals(s, back);
        assertEquals(9007199254740993L, back.seed());
        assertEquals(List.of(ImagingCategory.CLINICAL_STRUCTURAL), back.selection().categories());
        assertEquals(Purpose.RESEARCH, back.selection().purpose());
    }

    @Test
    void anUnknownFieldIsNamedWithItsLine() {
        ConfigException e = refused(MINIMAL.replace("  epochs: 2", "  epochs: 2\n  learnRate: 0.1"));
        assertTrue(e.getMessage().contains("job.yaml line 8"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown field 'local.learnRate'"), e.getMessage());
        ConfigException top = refused(MINIMAL + "priority: high\n");
        assertTrue(top.getMessage().contains("unknown field 'priority'") && top.getMessage().contains("line 20"), top.getMessage());
        ConfigException inList = refused(MINIMAL.replace("{site: hospital-b, dua: dua-b}", "{site: hospital-b, dua: dua-b, role: x}"));
        assertTrue(inList.getMessage().contains("job.yaml line 18: unknown field 'sites[1].role'"), inList.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> JobSpec.read(Path.of("no-such-job.yaml")));
        assertTrue(e.getMessage().contains("no-such-job.yaml does not exist"), e.getMessage());
    }

    @Test
    void aValueOfTheWrongTypeIsNamedWithItsLine() {
        ConfigException e = refused(MINIMAL.replace("rounds: 3", "rounds: many"));
        assertTrue(e.getMessage().contains("line 5") && e.getMessage().contains("'rounds'"), e.getMessage());
    }

    @Test
    void eachBadValueNamesItsFieldAndLine() {
        String[][] cases = {
                {"rounds: 3", "rounds: 0", "line 5: field 'rounds' must be at least 1"},
                {"  epochs: 2", "  epochs: 0", "line 7: field 'local.epochs' must be at least 1"},
                {"  epochs: 2", "  epochs: 2\n  learningRate: -1", "line 8: field 'local.learningRate' must be a number above 0"},
                {"  epochs: 2", "  epochs: 2\n  maxSteps: 0", "line 8: field 'local.maxSteps' must be at least 1"},
                {"name: fedavg", "name: fedsgd", "line 9: field 'strategy.name' must be one of [fedavg, fedprox, fedadam]"},
                {"name: fedavg", "name: fedprox", "line 8: field 'strategy.mu' is required"},
                {"name: fedavg", "name: fedprox\n  mu: 0", "line 10: field 'strategy.mu' must be a number above 0"},
                {"name: fedavg", "name: fedavg\n  mu: 0.1", "line 10: field 'strategy.mu' applies to fedprox only"},
                {"name: fedavg", "name: fedadam\n  beta1: 1.0", "line 10: field 'strategy.beta1' must be at least 0 and below 1"},
                {"minSites: 2", "minSites: 4", "line 16: field 'sites' lists 3 site(s) but minSites is 4"},
                {"minSites: 2", "minSites: 2\nthreshold: 4", "line 11: field 'threshold' must be 1..3"},
                {"he: n4096", "he: n2048", "line 11: field 'he' must be one of [n8192, n4096, plaintext]"},
                {"  modalities: [CT]", "  modalities: [ct]", "line 13: field 'selection.modalities[0]' 'ct' is not a DICOM code string"},
                {"  categories: [clinical-structural]", "  categories: [clinical-structural, x-ray]",
                        "line 14: field 'selection.categories[1]' 'x-ray' is not one of"},
                {"  purpose: research", "  purpose: marketing", "line 15: field 'selection.purpose' 'marketing' is not one of"},
                {"  purpose: research", "  purpose: research\n  maxGrade: 4",
                        "line 16: field 'selection.maxGrade' must be 1..3 (grade 4 and 5 imaging is never used"},
                {"{site: hospital-c, dua: dua-c}", "{site: hospital-a, dua: dua-c}",
                        "line 19: field 'sites[2].site' lists site hospital-a a second time"},
                {"{site: hospital-b, dua: dua-b}", "{site: Hospital B, dua: dua-b}", "line 18: field 'sites[1].site' must be a site name"},
                {"{site: hospital-b, dua: dua-b}", "{site: hospital-b}", "line 18: field 'sites[1].dua' is required"},
                {"model: cnn:input=32,filters=8", "model: cnn input", "line 3: field 'model' must be a model spec"},
                {"project: lung", "project: Lung!", "line 2: field 'project' must be the project name"},
        };
        for (String[] c : cases) {
            String yaml = MINIMAL.replace(c[0], c[1]);
            assertFalse(yaml.equals(MINIMAL), c[0]);
            ConfigException e = refused(yaml);
            assertTrue(e.getMessage().startsWith("job.yaml "), e.getMessage());
            assertTrue(e.getMessage().contains(c[2]), "expected '" + c[2] + "' in: " + e.getMessage());
        }
    }

    @Test
    void aMissingRequiredFieldIsNamed() {
        for (String[] c : new String[][] {{"seed: 7\n", "'seed' is required"}, {"he: n4096\n", "'he' is required"},
                {"  purpose: research\n", "'selection.purpose' is required"}, {"local:\n  epochs: 2\n", "'local' is required"}}) {
            ConfigException e = refused(MINIMAL.replace(c[0], ""));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}
