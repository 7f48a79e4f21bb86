package org.medveil.governance.strategy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medveil.governance.strategy.Technique.*;

@Tag("REQ-DEID-1")
@Tag("REQ-DEID-2")
class StrategySelectorTest {

    private final StrategySelector selector = new StrategySelector();
    private static final Scenario HH = new Scenario(Rating.HIGH, Rating.HIGH);
    private static final Scenario HL = new Scenario(Rating.HIGH, Rating.LOW);
    private static final Scenario LH = new Scenario(Rating.LOW, Rating.HIGH);
    private static final Scenario LL = new Scenario(Rating.LOW, Rating.LOW);

    @Test
    void highAvailabilityHighConfidentiality() {
        Strategy s = selector.strategyFor(HH);
        assertEquals(EnumSet.of(HOMOMORPHIC_ENCRYPTION), s.recommended());
        assertEquals(EnumSet.of(OCCLUSION, SUBSTITUTION), s.discouraged());
    }

    @Test
    void highAvailabilityLowConfidentiality() {
        Strategy s = selector.strategyFor(HL);
        assertEquals(EnumSet.of(GENERALIZATION, RANDOM_PERTURBATION, REORDERING, PERMUTATION, MASKING, SUBSTITUTION),
                s.recommended());
        assertEquals(EnumSet.of(NUMERIC_TRANSFORMATION, NULL_INSERTION), s.discouraged());
    }

    @Test
    void lowAvailabilityHighConfidentiality() {
        Strategy s = selector.strategyFor(LH);
        assertEquals(EnumSet.of(SYMMETRIC_ENCRYPTION, SUBSTITUTION, NULL_INSERTION, DATA_TRANSFORMATION),
                s.recommended());
        assertEquals(EnumSet.of(OCCLUSION), s.discouraged());
    }

    @Test
    void lowAvailabilityLowConfidentialityDiscouragesEveryEncryption() {
        Strategy s = selector.strategyFor(LL);
        assertEquals(EnumSet.of(STATISTICS, RANDOMIZATION, GENERALIZATION, TRUNCATION, NULL_INSERTION, OCCLUSION),
                s.recommended());
        assertEquals(EnumSet.of(HOMOMORPHIC_ENCRYPTION, SYMMETRIC_ENCRYPTION), s.discouraged());
    }

    @Test
    void noTechniqueIsBothRecommendedAndDiscouragedInOneCell() {
        for (Scenario sc : new Scenario[] {HH, HL, LH, LL}) {
            Strategy s = selector.strategyFor(sc);
            Set<Technique> both = EnumSet.copyOf(s.recommended());
            both.retainAll(s.discouraged());
            assertTrue(both.isEmpty(), sc + ": " + both);
        }
    }

    @Test
    void aProfileUsingADiscouragedTechniqueIsRefusedCitingTable2() {
        StrategyViolationException e = assertThrows(StrategyViolationException.class,
                () -> selector.check("ct-research", LH, EnumSet.of(SUBSTITUTION, OCCLUSION), null));
        assertTrue(e.getMessage().contains("Table 2"), e.getMessage());
        assertTrue(e.getMessage().contains("occlusion (遮挡)"), e.getMessage());
        assertTrue(e.getMessage().contains("availability low / confidentiality high"), e.getMessage());
        assertFalse(e.getMessage().contains("substitution (替代), which"), e.getMessage());
    }

    @Test
    void everyCellAcceptsItsRecommendedTechniques() {
        for (Scenario sc : new Scenario[] {HH, HL, LH, LL}) {
            StrategyDecision d = selector.check("p", sc, selector.strategyFor(sc).recommended(), null);
            assertFalse(d.overridden());
            assertNull(d.override());
        }
    }

    @Test
    void everyCellRefusesEachOfItsDiscouragedTechniques() {
        for (Scenario sc : new Scenario[] {HH, HL, LH, LL}) {
            for (Technique t : selector.strategyFor(sc).discouraged()) {
                assertThrows(StrategyViolationException.class, () -> selector.check("p", sc, EnumSet.of(t), null),
                        sc + " " + t);
            }
        }
    }

    @Test
    void aWrittenOverrideIsAcceptedAndRecorded() {
        StrategyOverride o = new StrategyOverride("burned-in text on ultrasound must be blanked before training",
                "dm-zhang", "2026-11-28");
        StrategyDecision d = selector.check("us-profile", HH, EnumSet.of(OCCLUSION, HOMOMORPHIC_ENCRYPTION), o);
        assertTrue(d.overridden());
        assertEquals(EnumSet.of(OCCLUSION), d.discouragedUsed());
        assertEquals(o, d.override());
        assertThrows(IllegalArgumentException.class, () -> new StrategyOverride(" ", "dm", "2026-11-28"));
    }

    @Test
    void techniqueIdsRoundTrip() {
        for (Technique t : Technique.values()) {
            assertEquals(t, Technique.fromId(t.id()));
        }
    }
}
