package org.medveil.dicom.deid;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-DEID-3")
class AnnexETableTest {
    private final AnnexETable table = AnnexETable.standard();

    @Test
    @DisplayName("REQ-DEID-3 the whole Table E.1-1 of DICOM 2024e is loaded (620 rows + private)")
    void wholeTable() {
        assertEquals(620, table.entries().size());
        assertTrue(table.edition().contains("2024e"), table.edition());
        EnumSet<Action> seen = EnumSet.noneOf(Action.class);
        table.entries().forEach(e -> seen.add(e.basic()));
        assertEquals(EnumSet.complementOf(EnumSet.of(Action.K, Action.C)), seen, "every Basic Profile action occurs");
        assertEquals(Action.X, table.privateAttributes().basic());
        assertEquals(Action.C, table.privateAttributes().options().get(ProfileOption.RETAIN_SAFE_PRIVATE));
    }

    @Test
    void lookupHandlesRepeatingGroups() {
        assertEquals("Overlay Data", table.lookup(0x60023000).name());
        assertEquals("Curve Data", table.lookup(0x501E0010).name());
        assertEquals(Action.Z_D, table.lookup(0x00100020).basic());
        assertNull(table.lookup(0x00280010), "Rows is not in the table: kept");
    }

    @Test
    @DisplayName("REQ-DEID-3 options override the basic action; retain beats clean")
    void optionPrecedence() {
        AnnexEEntry date = table.lookup(0x00080020);
        assertEquals(Action.Z, date.actionFor(Set.of()));
        assertEquals(Action.K, date.actionFor(Set.of(ProfileOption.RETAIN_LONGITUDINAL_FULL_DATES)));
        assertEquals(Action.C, date.actionFor(Set.of(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES)));
        AnnexEEntry allergies = table.lookup(0x00102110);
        assertEquals(Action.C, allergies.actionFor(Set.of(ProfileOption.CLEAN_DESCRIPTORS, ProfileOption.RETAIN_PATIENT_CHARACTERISTICS)));
        AnnexEEntry age = table.lookup(0x00101010);
        assertEquals(Action.K, age.actionFor(Set.of(ProfileOption.RETAIN_PATIENT_CHARACTERISTICS, ProfileOption.CLEAN_DESCRIPTORS)));
    }

    @Test
    @DisplayName("REQ-DEID-3 combined actions resolve to the value-free choice valid for any attribute type")
    void combinedResolution() {
        assertEquals(Action.Z, Action.X_Z.resolveConservatively());
        assertEquals(Action.D, Action.X_D.resolveConservatively());
        assertEquals(Action.D, Action.Z_D.resolveConservatively());
        assertEquals(Action.D, Action.X_Z_D.resolveConservatively());
        assertEquals(Action.U, Action.X_Z_U.resolveConservatively());
        for (Action a : Action.values()) {
            assertTrue(!a.resolveConservatively().combined(), a.code());
        }
    }

    @Test
    void badResourceLinesAreNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AnnexETable.parse(new BufferedReader(new StringReader("# ed\n00100010\tY\tZ\n"))));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Action.parse("Q"));
    }

    @Test
    void profileRefusesContradictoryDateOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeidProfile.withOptions("p",
                Set.of(ProfileOption.RETAIN_LONGITUDINAL_FULL_DATES, ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES)));
        assertTrue(e.getMessage().contains("choose one"));
    }
}
