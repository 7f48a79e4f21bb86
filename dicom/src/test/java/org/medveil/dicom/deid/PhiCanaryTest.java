package org.medveil.dicom.deid;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Element;
import org.medveil.dicom.Environment;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PHI canary (issue 5 "Done when"): unique markers in every Annex E attribute of real pydicom
 * files, nested and private ones included; after de-identification dcmdump shows none of them
 * (Basic Profile) or exactly those an option keeps.
 */
@Tag("REQ-DEID-3")
class PhiCanaryTest {
    private static final AnnexETable TABLE = AnnexETable.standard();
    private static final ProjectKey KEY = new ProjectKey("canary project key, 32 bytes long".getBytes());

    @TempDir
    Path dir;

    @ParameterizedTest(name = "Basic Profile removes every marker from {0}")
    @ValueSource(strings = {"CT_small.dcm", "MR_small.dcm", "test-SR.dcm", "rtplan.dcm", "MR_small_implicit.dcm",
            "MR_small_bigendian.dcm", "SC_rgb_rle.dcm", "JPEG2000.dcm"})
    @DisplayName("REQ-DEID-3 Basic Profile canary")
    void basicProfileLeavesNoMarker(String name) throws Exception {
        Canary canary = Canary.build(Environment.corpusFile("test_files/" + name), dir, TABLE);
        Path out = deidentify(canary, DeidProfile.basic());
        String dump = Dcmdump.dump(out);
        // also the raw bytes: a value dcmdump prints as hex (unknown VR) must not hide a marker
        String raw = new String(java.nio.file.Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1);
        List<String> leaked = new ArrayList<>();
        for (Canary.Mark m : canary.written.values()) {
            if (dump.contains(m.value()) || raw.contains(m.value())) {
                leaked.add(m.entry().name());
            }
        }
        for (String m : Canary.ownMarks()) {
            if (dump.contains(m) || raw.contains(m)) {
                leaked.add(m);
            }
        }
        assertEquals(List.of(), leaked, "markers still visible after the Basic Profile");
        Canary.assertParsesCleanly(out);
        DataSet before = canary.dicom.dataSet();
        DataSet after = new DicomReader().read(out).dataSet();
        assertKeptUnchanged(before, after);
        assertActionsApplied(canary, after, DeidProfile.basic());
        assertEquals("YES", after.getString(Deidentifier.PATIENT_IDENTITY_REMOVED));
        assertEquals(List.of("113100"), codes(after));
    }

    /** Per option: the markers visible afterwards are exactly those of rows the option keeps or cleans as text. */
    @ParameterizedTest(name = "{0} keeps exactly its rows")
    @EnumSource(value = ProfileOption.class, names = {"CLEAN_PIXEL_DATA", "CLEAN_RECOGNIZABLE_VISUAL_FEATURES"},
            mode = EnumSource.Mode.EXCLUDE)
    @DisplayName("REQ-DEID-3 option canary")
    void eachOptionKeepsExactlyItsAttributes(ProfileOption option) throws Exception {
        Canary canary = Canary.build(Environment.corpusFile("test_files/CT_small.dcm"), dir, TABLE);
        DeidProfile profile = DeidProfile.withOptions(option.id(), Set.of(option));
        Path out = deidentify(canary, profile);
        String dump = Dcmdump.dump(out);
        Set<String> expected = new TreeSet<>();
        Set<String> visible = new TreeSet<>();
        for (Canary.Mark m : canary.written.values()) {
            if (expectedVisible(m, profile)) {
                expected.add(m.entry().name());
            }
            if (dump.contains(m.value())) {
                visible.add(m.entry().name());
            }
        }
        if (option == ProfileOption.RETAIN_SAFE_PRIVATE) {
            expected.add(Canary.SAFE_PRIVATE_MARK);
        }
        if (option == ProfileOption.RETAIN_UIDS) {
            expected.add(Canary.DEEP_UID_MARK); // a Referenced SOP Instance UID three levels deep
        }
        if (option == ProfileOption.CLEAN_GRAPHICS) {
            expected.add(Canary.OVERLAY_MARK);
            expected.add(Canary.CURVE_MARK);
        }
        for (String m : Canary.ownMarks()) {
            if (dump.contains(m)) {
                visible.add(m);
            }
        }
        assertFalse(expected.isEmpty() && option != ProfileOption.CLEAN_STRUCTURED_CONTENT,
                "option " + option.id() + " keeps something, so the canary must expect visible markers");
        assertEquals(expected, visible, "what " + option.id() + " keeps");
        Canary.assertParsesCleanly(out);
        DataSet after = new DicomReader().read(out).dataSet();
        assertKeptUnchanged(canary.dicom.dataSet(), after);
        assertActionsApplied(canary, after, profile);
        assertEquals(List.of("113100", option.code()), codes(after));
    }

    private Path deidentify(Canary canary, DeidProfile profile) throws Exception {
        DicomFile in = new DicomReader().read(canary.file);
        DeidResult r = Deidentifier.of(profile, KEY).deidentify(in);
        Path out = dir.resolve("out-" + profile.name() + "-" + canary.file.getFileName());
        new DicomWriter().writeFile(r.file(), out, r.outputSyntax());
        return out;
    }

    /** A marker survives when the resolved action keeps the value as written. */
    static boolean expectedVisible(Canary.Mark m, DeidProfile profile) {
        if (m.nested()) {
            return false; // the nested marker is a Patient's Name, never kept
        }
        Action a = m.entry().actionFor(profile.options()).resolveConservatively();
        if (a == Action.K) {
            return !(m.vr() == VR.AS && profile.ageBandYears() > 0);
        }
        if (a == Action.C) {
            // dates move and UIDs are replaced; times (in shift mode) and text without identifiers stay
            return Canary.TEXT.contains(m.vr()) || m.vr() == VR.UR || (m.vr() == VR.TM && profile.dateMode() == DateMode.SHIFT)
                    || m.vr() == VR.DS || m.vr() == VR.IS;
        }
        return false;
    }

    /** Every top-level standard attribute the table does not list comes through byte for byte. */
    static void assertKeptUnchanged(DataSet before, DataSet after) {
        Set<Integer> added = Set.of(Deidentifier.PATIENT_IDENTITY_REMOVED, Deidentifier.DEIDENTIFICATION_METHOD,
                Deidentifier.DEIDENTIFICATION_METHOD_CODE_SEQUENCE, Deidentifier.LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED);
        int checked = 0;
        for (Element e : before.elements()) {
            int g = org.medveil.dicom.Tag.group(e.tag());
            if (org.medveil.dicom.Tag.isPrivate(e.tag()) || TABLE.lookup(e.tag()) != null || added.contains(e.tag())
                    || (g >= 0x6000 && g <= 0x601E) || e instanceof SequenceElement) {
                continue;
            }
            assertEquals(e, after.get(e.tag()), "attribute " + org.medveil.dicom.Tag.toString(e.tag())
                    + " is not in Table E.1-1 and must be kept unchanged");
            checked++;
        }
        assertTrue(checked > 5, "the canary must keep some attributes to compare");
    }

    /** The value each written row ends with matches its resolved action. */
    static void assertActionsApplied(Canary canary, DataSet after, DeidProfile profile) {
        for (Canary.Mark m : canary.written.values()) {
            Action a = m.entry().actionFor(profile.options()).resolveConservatively();
            int tag = m.tag();
            String where = m.entry().name() + " (" + a.code() + ")";
            Element e = after.get(tag);
            switch (a) {
                case X -> assertFalse(after.contains(tag), where + " must be removed");
                case Z -> {
                    assertNotNull(e, where + " must be present");
                    if (e instanceof SequenceElement s) {
                        assertEquals(0, s.size(), where + " must be an empty sequence");
                    } else if (tag != org.medveil.dicom.Tag.PatientName && tag != Deidentifier.ACCESSION_NUMBER) {
                        assertEquals(0, ((ValueElement) e).length(), where + " must be empty");
                    } else {
                        assertTrue(after.getString(tag).matches("[AM][A-Z0-9]{15}"), where + " must be a pseudonym");
                    }
                }
                case D -> {
                    assertNotNull(e, where + " must be present");
                    if (e instanceof SequenceElement s) {
                        assertEquals(1, s.size(), where + " must hold one dummy item");
                        assertTrue(s.item(0).isEmpty(), where + " dummy item must be empty");
                    } else {
                        assertTrue(((ValueElement) e).length() > 0, where + " must have a dummy value");
                        assertNotEquals(m.value(), after.getString(tag), where + " must not keep its value");
                    }
                }
                case U -> {
                    if (e instanceof SequenceElement s) {
                        assertTrue(s.size() >= 1, where + " is kept with its items");
                    } else {
                        assertNotNull(e, where + " must be present");
                        assertTrue(after.getString(tag).startsWith("2.25."), where + " must be a 2.25 UID");
                    }
                }
                case K -> {
                    if (!m.nested() && !(m.vr() == VR.AS && profile.ageBandYears() > 0)) {
                        assertEquals(m.value(), after.getString(tag), where + " must be kept");
                    }
                }
                case C -> assertNotNull(e, where + " must be present (cleaned)");
                default -> throw new AssertionError("unresolved " + a);
            }
        }
    }

    static List<String> codes(DataSet ds) {
        List<String> out = new ArrayList<>();
        SequenceElement s = ds.getSequence(Deidentifier.DEIDENTIFICATION_METHOD_CODE_SEQUENCE);
        for (DataSet item : s.items()) {
            assertEquals("DCM", item.getString(Deidentifier.CODING_SCHEME_DESIGNATOR));
            out.add(item.getString(Deidentifier.CODE_VALUE));
        }
        return out;
    }
}
