package org.medveil.site.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.job.DataSelection;
import org.medveil.site.federation.LocalTraining;
import org.medveil.site.store.MerkleTree;
import org.medveil.site.store.StoredObjectKind;
import org.medveil.site.training.TrainingSite.Role;

/**
 * Which derivatives a job may train on, over a real store filled by the real ingest pipeline:
 * one patient per exclusion reason beside consented, labelled ones. Each exclusion test names the
 * one object that only its filter keeps out.
 */
class TrainingSelectionTest {

    @TempDir
    static Path dir;
    static TrainingSite site;
    static TrainingData data;

    @BeforeAll
    static void build() throws Exception {
        site = new TrainingSite(dir, 6);
        data = new TrainingData(site.store, site.rules, site.clock);
    }

    @AfterAll
    static void close() {
        site.close();
    }

    static DataSelection research() {
        return new DataSelection(List.of(), List.of(), List.of(), 3, Purpose.RESEARCH);
    }

    static Set<String> selectedIds(DataSelection s) {
        return data.select(s).stream().map(TrainingData.Selected::objectId).collect(Collectors.toSet());
    }

    @Test
    void selectsExactlyTheConsentedLabelledDerivatives() {
        Set<String> ids = selectedIds(research());
        assertEquals(site.selectable(), ids,
                "exactly the consented, labelled, active derivatives (every role but OK and ORIGINAL_GRADE_1 is an"
                        + " exclusion)");
        for (TrainingData.Selected s : data.select(research())) {
            assertEquals(StoredObjectKind.DERIVATIVE, site.store.find(s.objectId()).orElseThrow().kind());
            assertTrue(s.grade() >= 1 && s.grade() <= 3, "grade " + s.grade());
            assertTrue(s.label() == 0 || s.label() == 1, "synthetic labels are class 0 or 1");
        }
    }

    @Test
    void neverSelectsAnOriginalEvenAtGradeOne() {
        int p = site.patient(Role.ORIGINAL_GRADE_1);
        Set<String> ids = selectedIds(research());
        assertFalse(ids.contains(site.originals.get(p)), "an original (graded 1 here) was selected");
        for (String orig : site.originals.values()) {
            assertFalse(ids.contains(orig), "original selected");
        }
        assertTrue(ids.contains(site.derivatives.get(p)), "its derivative is selectable");
    }

    @Test
    @Tag("REQ-GRADE-2")
    void neverSelectsGradeFourDerivatives() {
        assertFalse(selectedIds(research()).contains(site.derivatives.get(site.patient(Role.GRADE_4))));
    }

    @Test
    void maxGradeBoundsTheSelection() {
        List<String[]> graded = site.store.index().read(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, grade FROM objects WHERE kind = 'derivative'");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), Integer.toString(rs.getInt(2))});
                }
            }
            return out;
        });
        Set<String> ok = site.selectable();
        for (int max = 1; max <= 3; max++) {
            final int m = max;
            Set<String> expected = graded.stream().filter(g -> ok.contains(g[0]) && Integer.parseInt(g[1]) <= m)
                    .map(g -> g[0]).collect(Collectors.toSet());
            assertEquals(expected, selectedIds(new DataSelection(List.of(), List.of(), List.of(), m, Purpose.RESEARCH)),
                    "maxGrade " + m);
        }
    }

    @Test
    @Tag("REQ-ACQ-3")
    void noConsentForThePatientIsExcluded() {
        assertFalse(selectedIds(research()).contains(site.derivatives.get(site.patient(Role.NO_CONSENT))));
    }

    @Test
    @Tag("REQ-ACQ-3")
    void consentForAnotherPurposeIsExcludedAndCountsForThatPurpose() {
        String d = site.derivatives.get(site.patient(Role.OTHER_PURPOSE));
        assertFalse(selectedIds(research()).contains(d));
        assertEquals(Set.of(d), selectedIds(new DataSelection(List.of(), List.of(), List.of(), 3, Purpose.TEACHING)),
                "the teaching-only consent selects that patient for teaching");
    }

    @Test
    @Tag("REQ-ACQ-3")
    void consentWithoutJointModelingIsExcluded() {
        assertFalse(selectedIds(research()).contains(site.derivatives.get(site.patient(Role.NO_JOINT_MODELING))));
    }

    @Test
    @Tag("REQ-ACQ-3")
    void expiredConsentIsExcluded() {
        assertFalse(selectedIds(research()).contains(site.derivatives.get(site.patient(Role.EXPIRED))));
    }

    @Test
    @Tag("REQ-ACQ-3")
    void withdrawnConsentIsExcluded() {
        assertFalse(selectedIds(research()).contains(site.derivatives.get(site.patient(Role.WITHDRAWN))));
    }

    @Test
    void unlabelledDerivativesAreExcluded() {
        assertFalse(selectedIds(research()).contains(site.derivatives.get(site.patient(Role.UNLABELLED))));
    }

    @Test
    void destroyedAndArchivedDerivativesAreExcluded() {
        Set<String> ids = selectedIds(research());
        assertFalse(ids.contains(site.derivatives.get(site.patient(Role.DESTROYED))), "destroyed");
        assertFalse(ids.contains(site.derivatives.get(site.patient(Role.ARCHIVED))), "archived");
    }

    @Test
    void modalityBodyPartAndCategoryFilters() {
        int all = selectedIds(research()).size();
        assertEquals(all, selectedIds(new DataSelection(List.of("ct"), List.of(), List.of(), 3, Purpose.RESEARCH))
                .size(), "CT, any case");
        assertEquals(0, selectedIds(new DataSelection(List.of("MR"), List.of(), List.of(), 3, Purpose.RESEARCH))
                .size(), "MR");
        assertEquals(0, selectedIds(new DataSelection(List.of(), List.of("KNEE"), List.of(), 3, Purpose.RESEARCH))
                .size(), "body part KNEE");
        assertEquals(all, selectedIds(new DataSelection(List.of(), List.of(),
                List.of(ImagingCategory.CLINICAL_STRUCTURAL), 3, Purpose.RESEARCH)).size(), "structural");
        assertEquals(0, selectedIds(new DataSelection(List.of(), List.of(),
                List.of(ImagingCategory.CLINICAL_FUNCTIONAL), 3, Purpose.RESEARCH)).size(), "functional");
    }

    @Test
    void summaryCountsDigestRootAndAuditRecord() throws Exception {
        LocalTraining.DataSummary s = site.training().summarize(research());
        List<TrainingData.Selected> sel = data.select(research());
        assertEquals(sel.size(), s.total());
        for (LocalTraining.CategoryGradeCount c : s.counts()) {
            assertEquals(sel.stream().filter(x -> x.category().equals(c.category()) && x.grade() == c.grade()).count(),
                    c.count(), c.toString());
        }
        assertEquals(StoreLocalTraining.profileDigest(site.config.deidProfile().source()), s.deidProfileDigest());
        assertEquals(64, s.deidProfileDigest().length());
        // the root the store keeps, recomputed here from the index's digests (active and archived objects)
        List<String> digests = site.store.index().read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT digest FROM objects WHERE dataset = 'default' AND state <> 'destroyed'");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
        assertEquals(MerkleTree.root(digests), s.datasetMerkleRoot());
        String audit = new String(site.auditBytes(), StandardCharsets.UTF_8);
        assertTrue(audit.contains(StoreLocalTraining.SELECTION_RECORD), "selection audited");
        assertTrue(audit.contains(s.datasetMerkleRoot()), "root in the audit record");
    }
}
