package org.medveil.governance.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.dua.DataUseAgreement;
import org.medveil.governance.dua.DuaSignature;

/**
 * The site's decision on a job, with real kits and signed agreements. Each decline starts from a
 * job that is accepted and changes one thing, so removing that check turns the decline into an
 * acceptance (or into another reason) and the test fails.
 */
class JobAcceptanceTest {

    @TempDir
    static Path shared;
    static JobFixture fx;
    static final String SITE = "hospital-a";

    @BeforeAll
    static void provision() {
        fx = new JobFixture(shared);
    }

    private static JobAcceptance.Decision decide(SignedJob job, String site, DataUseAgreement dua,
                                                 Collection<DuaSignature> sigs, LocalDate today, ApprovalPolicy policy,
                                                 long selectable) {
        return JobAcceptance.check(job, site, fx.bob.caCertificate(), fx.crl, dua, sigs, today, policy, selectable);
    }

    /** Everything right except what the caller changes. */
    private static JobAcceptance.Decision decide(SignedJob job, String duaYaml) {
        DataUseAgreement d = JobFixture.dua(duaYaml);
        return decide(job, SITE, d, fx.signatures(d), JobFixture.today(), ApprovalPolicy.ALLOW_ALL, 12);
    }

    private static SignedJob job(String specYaml) {
        SignedJob j = JobFixture.sign(specYaml, fx.bob);
        return SignedJob.of(j.signedBytes(), j.signature(), j.researcherDer());
    }

    private static void declined(JobAcceptance.Decision d, String words) {
        assertFalse(d.accepted(), "expected a decline mentioning '" + words + "'; checks: " + d.checks());
        assertTrue(d.reason().contains(words), "expected '" + words + "' in: " + d.reason());
    }

    @Test
    void aSignedJobUnderAnAgreementInForceIsAccepted() {
        JobAcceptance.Decision d = decide(job(JobFixture.SPEC), JobFixture.duaYaml());
        assertTrue(d.accepted(), d.reason() + " " + d.checks());
        assertEquals(9, d.checks().size(), d.checks().toString());
        assertTrue(d.checks().stream().allMatch(c -> c.contains(": ok")), d.checks().toString());
        assertTrue(d.reason().contains("under agreement dua-a"), d.reason());
    }

    @Test
    void aTamperedJobIsDeclinedNotThrown() {
        SignedJob j = JobFixture.sign(JobFixture.SPEC, fx.bob);
        byte[] b = j.signedBytes();
        int at = new String(b, java.nio.charset.StandardCharsets.UTF_8).indexOf("\"rounds\":3") + 9;
        b[at] = '9';
        JobAcceptance.Decision d = decide(SignedJob.of(b, j.signature(), j.researcherDer()), JobFixture.duaYaml());
        declined(d, "signature does not verify");
        assertEquals(List.of("job signature: declined"), d.checks());
    }

    @Test
    void aJobSignedByADataManagerKitIsDeclined() {
        SignedJob j = JobFixture.sign(JobFixture.SPEC, fx.dm);
        declined(decide(SignedJob.of(j.signedBytes(), j.signature(), j.researcherDer()), JobFixture.duaYaml()),
                "only a researcher's kit signs jobs");
    }

    @Test
    void aJobByARevokedResearcherIsDeclined() {
        SignedJob j = JobFixture.sign(JobFixture.SPEC, fx.eve);
        // The agreement names eve, so only the revocation can stop this job.
        String dua = JobFixture.duaYaml().replace("researcher: bob", "researcher: eve");
        DataUseAgreement d = JobFixture.dua(dua);
        JobAcceptance.Decision r = JobAcceptance.check(j, SITE, fx.bob.caCertificate(), fx.crl, d,
                List.of(DuaSignature.sign(d, fx.dm), DuaSignature.sign(d, fx.eve)), JobFixture.today(),
                ApprovalPolicy.ALLOW_ALL, 12);
        declined(r, "the researcher is no longer admitted");
        assertEquals(List.of("job signature: declined"), r.checks());
    }

    @Test
    void aSiteTheJobDoesNotListDeclines() {
        declined(decide(job(JobFixture.SPEC.replace("site: hospital-a", "site: hospital-c")), JobFixture.duaYaml()),
                "does not list site hospital-a");
    }

    @Test
    @Tag("REQ-TX-1")
    void anAgreementOtherThanTheOneTheJobNamesDeclines() {
        declined(decide(job(JobFixture.SPEC), JobFixture.duaYaml().replace("id: dua-a", "id: dua-z")),
                "names agreement dua-a for site hospital-a, but the site's agreement is dua-z");
        declined(decide(job(JobFixture.SPEC.replace("dua: dua-a", "dua: dua-z")), JobFixture.duaYaml()),
                "names agreement dua-z");
        declined(decide(job(JobFixture.SPEC), SITE, null, List.of(), JobFixture.today(), ApprovalPolicy.ALLOW_ALL, 1),
                "holds no agreement under that id");
        // The agreement of another site, even under the right id, is not this site's.
        declined(decide(job(JobFixture.SPEC), JobFixture.duaYaml().replace("site: hospital-a", "site: hospital-b")),
                "is between site hospital-b");
    }

    @Test
    @Tag("REQ-TX-1")
    void anAgreementNotInForceDeclines() {
        DataUseAgreement d = JobFixture.dua(JobFixture.duaYaml());
        SignedJob j = job(JobFixture.SPEC);
        declined(decide(j, SITE, d, List.of(DuaSignature.sign(d, fx.dm)), JobFixture.today(), ApprovalPolicy.ALLOW_ALL, 12),
                "researcher signature (by bob) is missing");
        declined(decide(j, SITE, d, fx.signatures(d), JobFixture.today().plusDays(31), ApprovalPolicy.ALLOW_ALL, 12),
                "the agreement expired");
        // Signatures made over another agreement text do not carry over.
        DataUseAgreement edited = JobFixture.dua(JobFixture.duaYaml().replace("maxGrade: 3", "maxGrade: 2"));
        declined(decide(j, SITE, d, fx.signatures(edited), JobFixture.today(), ApprovalPolicy.ALLOW_ALL, 12),
                "does not verify");
    }

    @Test
    void anAgreementForAnotherPurposeDeclines() {
        declined(decide(job(JobFixture.SPEC), JobFixture.duaYaml().replace("purpose: research", "purpose: teaching")),
                "selects data for purpose research, but agreement dua-a allows purpose teaching only");
    }

    @Test
    void aJobSignedByAnotherResearcherThanTheAgreementNamesDeclines() {
        SignedJob alices = JobFixture.sign(JobFixture.SPEC, fx.alice);
        declined(decide(SignedJob.of(alices.signedBytes(), alices.signature(), alices.researcherDer()), JobFixture.duaYaml()),
                "signed by researcher alice, but agreement dua-a is with researcher bob");
    }

    @Test
    @Tag("REQ-USE-2")
    void aSelectionWiderThanTheAgreementDeclines() {
        String dua = JobFixture.duaYaml();
        declined(decide(job(JobFixture.SPEC.replace("modalities: [CT]", "modalities: [CT, PT]")), dua),
                "modalities [PT] are not covered");
        declined(decide(job(JobFixture.SPEC.replace("  modalities: [CT]\n", "")), dua), "the job selects any modality");
        declined(decide(job(JobFixture.SPEC.replace("categories: [clinical-structural]",
                "categories: [clinical-structural, personal-biometric]")), dua), "categories [personal-biometric] are not covered");
        declined(decide(job(JobFixture.SPEC.replace("  categories: [clinical-structural]\n", "")), dua),
                "the job selects any category");
        declined(decide(job(JobFixture.SPEC), dua.replace("maxGrade: 3", "maxGrade: 2")),
                "selection.maxGrade 3 is above the agreement's maxGrade 2");
        assertTrue(decide(job(JobFixture.SPEC.replace("maxGrade: 3", "maxGrade: 2")), dua.replace("maxGrade: 3", "maxGrade: 2"))
                .accepted(), "a narrower selection is covered");
    }

    @Test
    @Tag("REQ-USE-1")
    void aSiteThatApprovesByHandHoldsTheJob() {
        DataUseAgreement d = JobFixture.dua(JobFixture.duaYaml());
        declined(decide(job(JobFixture.SPEC), SITE, d, fx.signatures(d), JobFixture.today(),
                ApprovalPolicy.requireManualApproval(), 12), "waiting for the data manager's approval");
        ApprovalPolicy custom = (spec, j) -> spec.rounds() > 2 ? Optional.of("at most 2 rounds here") : Optional.empty();
        declined(decide(job(JobFixture.SPEC), SITE, d, fx.signatures(d), JobFixture.today(), custom, 12), "at most 2 rounds here");
    }

    @Test
    void autoApprovalRulesApproveOnlyTheirPurposeGradeAndDatasets() {
        DataUseAgreement d = JobFixture.dua(JobFixture.duaYaml());
        SignedJob j = job(JobFixture.SPEC.replace("maxGrade: 3", "maxGrade: 2"));
        ApprovalPolicy rules = new AutoApprovalRules(List.of(new AutoApprovalRules.Rule("research", 2, Set.of("chest-ct"))),
                sel -> Set.of("chest-ct"));
        assertTrue(decide(j, SITE, d, fx.signatures(d), JobFixture.today(), rules, 12).accepted());
        declined(decide(job(JobFixture.SPEC), SITE, d, fx.signatures(d), JobFixture.today(), rules, 12),
                "no auto-approval rule of this site covers purpose research up to grade 3");
        ApprovalPolicy otherData = new AutoApprovalRules(List.of(new AutoApprovalRules.Rule("research", 2, Set.of("chest-ct"))),
                sel -> Set.of("chest-ct", "head-mr"));
        declined(decide(j, SITE, d, fx.signatures(d), JobFixture.today(), otherData, 12), "waiting for the data manager's approval");
        ApprovalPolicy teaching = new AutoApprovalRules(List.of(new AutoApprovalRules.Rule("teaching", 3, Set.of("chest-ct"))),
                sel -> Set.of("chest-ct"));
        declined(decide(j, SITE, d, fx.signatures(d), JobFixture.today(), teaching, 12), "waiting for the data manager's approval");
    }

    @Test
    void noSelectableDataDeclines() {
        DataUseAgreement d = JobFixture.dua(JobFixture.duaYaml());
        JobAcceptance.Decision r = decide(job(JobFixture.SPEC), SITE, d, fx.signatures(d), JobFixture.today(),
                ApprovalPolicy.ALLOW_ALL, 0);
        declined(r, "no selectable consented de-identified data matches the selection");
        assertEquals(9, r.checks().size());
        assertEquals("selectable data: declined", r.checks().get(8));
    }
}
