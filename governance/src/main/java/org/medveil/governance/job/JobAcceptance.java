package org.medveil.governance.job;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.dua.DataUseAgreement;
import org.medveil.governance.dua.DuaReport;
import org.medveil.governance.dua.DuaSignature;
import org.medveil.governance.dua.DuaVerifier;
import org.medveil.governance.pki.RevocationList;

/**
 * A site's decision on a job (REQ-TX-1, USE-1, USE-2): it takes part only if the job's signature
 * and researcher certificate check out, the job lists this site under the agreement the site
 * holds, that agreement is in force (both signatures, period), names the job's purpose and the
 * researcher who signed the job, covers the job's selection (modalities, categories, grade), the
 * site's approval policy agrees, and the selection matches some selectable data. Otherwise it
 * declines with the first reason found, worded for the researcher (what to fix) and free of PHI:
 * only ids, site and user names, fingerprints and counts. A bad job never throws.
 */
public final class JobAcceptance {

    private JobAcceptance() {
    }

    /**
     * What the site decided. {@code checks} lists each check passed, in order, and the one that
     * failed last, for the site's audit log.
     */
    public record Decision(boolean accepted, String reason, List<String> checks) {
        public Decision {
            checks = List.copyOf(checks);
        }
    }

    /**
     * Decides on {@code today} (UTC): certificates and the agreement are checked at the current
     * instant when it falls on {@code today}, otherwise at the nearest instant of that day.
     *
     * @param crl               the project CRL, or null for none
     * @param selectableObjects how many consented, de-identified objects at allowed grades the
     *                          site's store holds that match the job's selection
     */
    public static Decision check(SignedJob job, String siteName, X509Certificate ca, RevocationList crl,
                                 DataUseAgreement dua, Collection<DuaSignature> duaSignatures, LocalDate today,
                                 ApprovalPolicy policy, long selectableObjects) {
        Instant start = today.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
        Instant now = Instant.now();
        Instant at = now.isBefore(start) ? start : now.isAfter(end) ? end : now;
        return check(job, siteName, ca, crl, dua, duaSignatures, at, null, policy, selectableObjects);
    }

    /**
     * As above at an exact instant, with the site's own list of its data managers (null when the
     * site keeps none; {@link DuaVerifier} then takes the agreement's word for it).
     */
    public static Decision check(SignedJob job, String siteName, X509Certificate ca, RevocationList crl,
                                 DataUseAgreement dua, Collection<DuaSignature> duaSignatures, Instant at,
                                 Collection<String> siteDataManagers, ApprovalPolicy policy, long selectableObjects) {
        List<String> checks = new ArrayList<>();
        String id = job.jobId();
        try {
            job.verify(ca, crl, at);
        } catch (JobException e) {
            return decline(checks, "job signature", e.getMessage());
        }
        checks.add("job signature: ok, signed by researcher certificate sha256:" + job.researcherFingerprint());
        JobSpec spec = job.spec();

        String duaId = spec.duaFor(siteName);
        if (duaId == null) {
            return decline(checks, "site listed", "job " + id + " does not list site " + siteName + " (it lists "
                    + spec.sites().stream().map(JobSpec.SiteDua::site).toList() + "); add {site: " + siteName
                    + ", dua: AGREEMENT-ID} to the job's sites and resubmit");
        }
        checks.add("site listed: ok, " + siteName + " under agreement " + duaId);

        if (dua == null || !duaId.equals(dua.id())) {
            return decline(checks, "agreement id", "job " + id + " names agreement " + duaId + " for site " + siteName
                    + ", but " + (dua == null ? "the site holds no agreement under that id"
                    : "the site's agreement is " + dua.id()) + "; name the agreement signed with this site's data manager");
        }
        if (!siteName.equals(dua.parties().site()) || !spec.project().equals(dua.project())) {
            return decline(checks, "agreement id", "agreement " + dua.id() + " is between site " + dua.parties().site()
                    + " of project " + dua.project() + " and a researcher, not for site " + siteName + " of project "
                    + spec.project() + "; name this site's agreement in the job");
        }
        checks.add("agreement id: ok, " + dua.id());

        DuaReport report = DuaVerifier.verify(dua, duaSignatures == null ? List.of() : duaSignatures, ca, at,
                crl == null ? RevocationList.none(ca) : crl, siteDataManagers);
        if (!report.ok()) {
            return decline(checks, "agreement in force", "agreement " + dua.id() + " is not in force: "
                    + String.join("; ", report.problems()));
        }
        checks.add("agreement in force: ok" + (report.warnings().isEmpty() ? "" : " (" + String.join("; ", report.warnings()) + ")"));

        String purpose = spec.selection().purpose().id();
        if (!purpose.equals(dua.purpose())) {
            return decline(checks, "purpose", "job " + id + " selects data for purpose " + purpose + ", but agreement "
                    + dua.id() + " allows purpose " + dua.purpose() + " only; use that purpose or sign an agreement for "
                    + purpose);
        }
        checks.add("purpose: ok, " + purpose);

        String signer = job.researcherIdentity().name();
        if (!signer.equals(dua.parties().researcher())) {
            return decline(checks, "researcher", "job " + id + " is signed by researcher " + signer + ", but agreement "
                    + dua.id() + " is with researcher " + dua.parties().researcher()
                    + "; the researcher named in the agreement submits the job");
        }
        checks.add("researcher: ok, " + signer);

        Optional<String> scope = scopeProblem(spec.selection(), dua.dataScope());
        if (scope.isPresent()) {
            return decline(checks, "data scope", "job " + id + "'s selection is wider than agreement " + dua.id()
                    + " allows: " + scope.get());
        }
        checks.add("data scope: ok, within agreement " + dua.id());

        Optional<String> refused = policy.refuse(spec, job);
        if (refused.isPresent()) {
            return decline(checks, "approval", refused.get());
        }
        checks.add("approval: ok");

        if (selectableObjects <= 0) {
            return decline(checks, "selectable data", "no selectable consented de-identified data matches the selection"
                    + " of job " + id + " at site " + siteName + " (modalities " + any(spec.selection().modalities())
                    + ", body parts " + any(spec.selection().bodyParts()) + ", categories "
                    + any(spec.selection().categories().stream().map(ImagingCategory::id).toList()) + ", grade <= "
                    + spec.selection().maxGrade() + ", purpose " + purpose + "); widen the selection or ask the site"
                    + " whether it holds such data");
        }
        checks.add("selectable data: ok, " + selectableObjects + " object(s)");
        return new Decision(true, "accepted: job " + id + " at site " + siteName + " under agreement " + dua.id(), checks);
    }

    /** Why the selection is not inside the agreement's data scope, or empty when it is. */
    static Optional<String> scopeProblem(DataSelection sel, DataUseAgreement.DataScope scope) {
        if (sel.modalities().isEmpty()) {
            return Optional.of("the job selects any modality, the agreement covers " + scope.modalities()
                    + "; list selection.modalities from those");
        }
        List<String> extra = sel.modalities().stream().filter(m -> !scope.modalities().contains(m)).toList();
        if (!extra.isEmpty()) {
            return Optional.of("modalities " + extra + " are not covered (the agreement covers " + scope.modalities() + ")");
        }
        List<String> cats = sel.categories().stream().map(ImagingCategory::id).toList();
        if (cats.isEmpty()) {
            return Optional.of("the job selects any category, the agreement covers " + scope.categories()
                    + "; list selection.categories from those");
        }
        List<String> extraCats = cats.stream().filter(c -> !scope.categories().contains(c)).toList();
        if (!extraCats.isEmpty()) {
            return Optional.of("categories " + extraCats + " are not covered (the agreement covers " + scope.categories() + ")");
        }
        if (sel.maxGrade() > scope.maxGrade()) {
            return Optional.of("selection.maxGrade " + sel.maxGrade() + " is above the agreement's maxGrade "
                    + scope.maxGrade() + "; lower it");
        }
        return Optional.empty();
    }

    private static String any(List<String> values) {
        return values.isEmpty() ? "any" : values.stream().collect(Collectors.joining(", ", "[", "]"));
    }

    private static Decision decline(List<String> checks, String check, String reason) {
        checks.add(check + ": declined");
        return new Decision(false, reason, checks);
    }
}
