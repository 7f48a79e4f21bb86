package org.medveil.governance.deid;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.deid.AnnexETable;
import org.medveil.dicom.deid.DateMode;
import org.medveil.dicom.deid.DeidProfile;
import org.medveil.dicom.deid.ProfileOption;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.strategy.Rating;
import org.medveil.governance.strategy.StrategyDecision;
import org.medveil.governance.strategy.StrategyViolationException;
import org.medveil.governance.strategy.Technique;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeidProfilesTest {
    private static final Path EXAMPLES = Path.of("..", "config", "deid");
    private final AnnexETechniques techniques = new AnnexETechniques(AnnexETable.standard());
    private final DeidProfiles profiles = DeidProfiles.standard();

    @TempDir
    Path dir;

    @Test
    @Tag("REQ-DEID-3")
    @DisplayName("REQ-DEID-3 Annex E actions map onto Table 2 techniques")
    void actionsMapToTechniques() {
        assertEquals(EnumSet.of(Technique.MASKING, Technique.NULL_INSERTION, Technique.SUBSTITUTION),
                techniques.techniquesOf(DeidProfile.basic()));
        DeidProfile shift = DeidProfile.withOptions("s", Set.of(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES));
        assertTrue(techniques.techniquesOf(shift).contains(Technique.RANDOM_PERTURBATION));
        assertTrue(!techniques.techniquesOf(shift).contains(Technique.GENERALIZATION));
        assertTrue(techniques.techniquesOf(shift.withDates(DateMode.YEAR)).contains(Technique.GENERALIZATION));
        DeidProfile ages = DeidProfile.withOptions("a", Set.of(ProfileOption.RETAIN_PATIENT_CHARACTERISTICS));
        assertTrue(!techniques.techniquesOf(ages).contains(Technique.GENERALIZATION));
        assertTrue(techniques.techniquesOf(ages.withAgeBands(5)).contains(Technique.GENERALIZATION));
        assertTrue(techniques.techniquesOf(DeidProfile.withOptions("p", Set.of(ProfileOption.CLEAN_PIXEL_DATA)))
                .contains(Technique.OCCLUSION));
        assertTrue(techniques.techniquesOf(DeidProfile.basic().withEscrow(true)).contains(Technique.SYMMETRIC_ENCRYPTION));
    }

    @Test
    @Tag("REQ-DEID-2")
    @DisplayName("REQ-DEID-2 the shipped example profiles load and pass Table 2 (the research one by its recorded override)")
    void examplesPass() {
        LoadedProfile basic = profiles.load(EXAMPLES.resolve("basic.yaml"));
        assertEquals(Rating.LOW, basic.scenario().availability());
        StrategyDecision d = profiles.check(basic);
        assertTrue(!d.overridden());
        assertTrue(profiles.load(EXAMPLES.resolve("basic-escrow.yaml")).profile().escrow());
        LoadedProfile research = profiles.load(EXAMPLES.resolve("research-longitudinal.yaml"));
        assertEquals(5, research.profile().ageBandYears());
        StrategyDecision r = profiles.check(research);
        assertTrue(r.overridden());
        assertEquals(Set.of(Technique.NULL_INSERTION), r.discouragedUsed());
        assertNotNull(r.override());
    }

    @Test
    @Tag("REQ-DEID-2")
    @DisplayName("REQ-DEID-2 a profile using a discouraged technique without override is refused citing Table 2")
    void discouragedWithoutOverrideIsRefused() throws Exception {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, "name: hh\nscenario: {availability: high, confidentiality: high}\noptions: [clean-pixel-data]\n");
        StrategyViolationException e = assertThrows(StrategyViolationException.class, () -> profiles.check(profiles.load(f)));
        assertTrue(e.getMessage().contains("Table 2") && e.getMessage().contains("occlusion"), e.getMessage());
    }

    @Test
    void badFilesNameTheField() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "name: x\nscenario: {availability: medium, confidentiality: low}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> profiles.load(f));
        assertTrue(e.getMessage().contains("scenario.availability"), e.getMessage());
        Files.writeString(f, "name: x\nscenario: {availability: low, confidentiality: low}\noptions: [retain-everything]\n");
        e = assertThrows(ConfigException.class, () -> profiles.load(f));
        assertTrue(e.getMessage().contains("unknown de-identification option 'retain-everything'"), e.getMessage());
        Files.writeString(f, "name: x\nscenario: {availability: low, confidentiality: low}\noptionz: []\n");
        e = assertThrows(ConfigException.class, () -> profiles.load(f));
        assertTrue(e.getMessage().contains("unknown field 'optionz'"), e.getMessage());
        Files.writeString(f, "name: x\nscenario: {availability: low, confidentiality: low}\ndates: month\n");
        e = assertThrows(ConfigException.class, () -> profiles.load(f));
        assertTrue(e.getMessage().contains("'dates' must be 'shift' or 'year'"), e.getMessage());
    }
}
