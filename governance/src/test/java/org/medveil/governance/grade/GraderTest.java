package org.medveil.governance.grade;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.config.ConfigException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-GRADE-1")
class GraderTest {

    private final Grader grader = new Grader(SpecialDiseaseList.defaults());

    private static GradeFacts facts(Set<String> direct, boolean deid, Set<QuasiIdentifier> quasi,
                                    List<String> codes, List<String> text, boolean pub) {
        return new GradeFacts(direct, deid, quasi, codes, text, pub);
    }

    @Test
    void directIdentifiersGiveLevel4() {
        Grade g = grader.grade(facts(Set.of("PatientName", "PatientID"), false, null, null, null, false));
        assertEquals(SensitivityLevel.L4, g.level());
        assertTrue(g.reasons().get(0).contains("PatientID, PatientName"), g.reasons().toString());
    }

    @Test
    void notDeidentifiedIsLevel4EvenWithoutNamedIdentifiers() {
        assertEquals(SensitivityLevel.L4, grader.grade(facts(null, false, null, null, null, false)).level());
    }

    @Test
    void specialDiseaseByCodeOrKeywordGivesLevel5EvenAfterDeidentification() {
        Grade byCode = grader.grade(facts(null, true, null, List.of("B20.1"), null, false));
        assertEquals(SensitivityLevel.L5, byCode.level());
        assertTrue(byCode.reasons().get(0).contains("B20-B24"), byCode.reasons().toString());
        assertEquals(SensitivityLevel.L5, grader.grade(facts(null, true, null, null,
                List.of("胸部CT 艾滋病随访"), false)).level());
        assertEquals(SensitivityLevel.L5, grader.grade(facts(null, true, null, List.of("F20"), null, false)).level());
    }

    @Test
    void quasiIdentifiersKeptGiveLevel3() {
        for (QuasiIdentifier q : QuasiIdentifier.values()) {
            Grade g = grader.grade(facts(null, true, Set.of(q), null, null, false));
            assertEquals(SensitivityLevel.L3, g.level(), q.name());
            assertTrue(g.reasons().get(0).contains(q.description()), g.reasons().toString());
        }
    }

    @Test
    void deidentifiedWithNothingKeptIsLevel2() {
        assertEquals(SensitivityLevel.L2, grader.grade(facts(null, true, null, List.of("J18"),
                List.of("CT chest pneumonia"), false)).level());
    }

    @Test
    void declaredPublicIsLevel1OnlyWhenNothingIdentifiesAnyone() {
        Grade pub = grader.grade(facts(null, true, null, null, null, true));
        assertEquals(SensitivityLevel.L1, pub.level());
        Grade notReally = grader.grade(facts(Set.of("PatientName"), false, null, null, null, true));
        assertEquals(SensitivityLevel.L4, notReally.level());
        assertTrue(notReally.reasons().stream().anyMatch(r -> r.contains("cannot be public")), notReally.reasons().toString());
        assertEquals(SensitivityLevel.L3, grader.grade(facts(null, true, Set.of(QuasiIdentifier.DATES), null, null,
                true)).level());
    }

    @Test
    void shortKeywordsMatchWholeWordsOnly() {
        assertEquals(SensitivityLevel.L2, grader.grade(facts(null, true, null, null,
                List.of("CT temporal bone, paraids fitting"), false)).level());
        assertEquals(SensitivityLevel.L5, grader.grade(facts(null, true, null, null, List.of("HIV+ follow-up"), false))
                .level());
    }

    @Test
    void aSiteListReplacesTheDefaultAndBadRangesAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sd.yaml");
        Files.writeString(f, "codes: [C00-C97]\nkeywords: [肿瘤]\n");
        Grader oncology = new Grader(SpecialDiseaseList.load(f));
        assertEquals(SensitivityLevel.L5, oncology.grade(facts(null, true, null, List.of("C34.1"), null, false)).level());
        assertEquals(SensitivityLevel.L2, oncology.grade(facts(null, true, null, List.of("B20"), null, false)).level());
        Files.writeString(f, "codes: [C00-D10]\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SpecialDiseaseList.load(f));
        assertTrue(e.getMessage().contains("C00-D10"), e.getMessage());
    }

    @Test
    void levelsCarryTheStandardsAccessRules() {
        assertEquals("the authorized project group only", SensitivityLevel.L3.access());
        assertEquals(SensitivityLevel.L5, SensitivityLevel.of(5));
    }
}
