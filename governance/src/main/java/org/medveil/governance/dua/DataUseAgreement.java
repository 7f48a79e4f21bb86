package org.medveil.governance.dua;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.config.YamlFiles;
import org.medveil.governance.consent.Purpose;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.PkiException;

/**
 * A data use agreement (REQ-TX-1, REQ-USE-2) between a site's data manager and a researcher, read
 * strictly from YAML. What is signed is the RFC 8785 canonical JSON of the parsed agreement
 * ({@link #canonicalBytes()}), so comments and YAML formatting can change without breaking the
 * signatures, but any value cannot.
 *
 * <pre>
 * id: dua-2026-007
 * project: lung
 * parties: {site: hospital-a, dataManager: dm-one, researcher: bob, organisation: Example University}
 * purpose: research                     # consent.Purpose id
 * waysOfUse: [federated-training, evaluation]
 * period: {from: 2026-01-01, to: 2026-12-31}
 * protection: [de-identification to grade 3 or lower, HE-encrypted updates only]
 * breachPlan: {contact: dpo@hospital-a.example, steps: [stop the job, notify within 24 h]}
 * dataScope: {modalities: [CT], categories: [clinical-structural], maxGrade: 3}
 * </pre>
 */
public record DataUseAgreement(String id, String project, Parties parties, String purpose, List<String> waysOfUse,
                               Period period, List<String> protection, BreachPlan breachPlan, DataScope dataScope) {

    /** The site, the user names of its data manager and of the researcher (as in their certificates), and the researcher's organisation. */
    public record Parties(String site, String dataManager, String researcher, String organisation) {
    }

    /** First and last day of use, inclusive, ISO dates. */
    public record Period(String from, String to) {
    }

    /** Whom to call and what to do when data leaks. */
    public record BreachPlan(String contact, List<String> steps) {
    }

    /** Which data the agreement covers; grades above 3 are never covered. */
    public record DataScope(List<String> modalities, List<String> categories, Integer maxGrade) {
    }

    private static final Set<String> CATEGORIES = Set.copyOf(Arrays.stream(ImagingCategory.values())
            .map(ImagingCategory::id).toList());

    public DataUseAgreement {
        required("id", id);
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw bad("id", "must be 1-128 letters, digits, '.', '_' or '-'");
        }
        name("project", project);
        if (parties == null) {
            throw bad("parties", "is required (site, dataManager, researcher, organisation)");
        }
        name("parties.site", parties.site());
        name("parties.dataManager", parties.dataManager());
        name("parties.researcher", parties.researcher());
        required("parties.organisation", parties.organisation());
        if (parties.dataManager().equals(parties.researcher())) {
            throw bad("parties", "the data manager and the researcher must be different people");
        }
        if (Purpose.fromIdOrNull(purpose) == null) {
            throw bad("purpose", "'" + purpose + "' is not one of " + Purpose.allIds());
        }
        nonEmpty("waysOfUse", waysOfUse);
        if (period == null) {
            throw bad("period", "is required (from, to)");
        }
        if (date("period.to", period.to()).isBefore(date("period.from", period.from()))) {
            throw bad("period", "ends before it starts");
        }
        nonEmpty("protection", protection);
        if (breachPlan == null) {
            throw bad("breachPlan", "is required (contact, steps)");
        }
        required("breachPlan.contact", breachPlan.contact());
        nonEmpty("breachPlan.steps", breachPlan.steps());
        if (dataScope == null) {
            throw bad("dataScope", "is required (modalities, categories, maxGrade)");
        }
        nonEmpty("dataScope.modalities", dataScope.modalities());
        nonEmpty("dataScope.categories", dataScope.categories());
        for (String c : dataScope.categories()) {
            if (!CATEGORIES.contains(c)) {
                throw bad("dataScope.categories", "'" + c + "' is not one of " + CATEGORIES);
            }
        }
        if (dataScope.maxGrade() == null || dataScope.maxGrade() < 1 || dataScope.maxGrade() > 3) {
            throw bad("dataScope.maxGrade", "must be 1, 2 or 3 (grade 4-5 data are never used for joint modeling), got "
                    + dataScope.maxGrade());
        }
        waysOfUse = List.copyOf(waysOfUse);
        protection = List.copyOf(protection);
    }

    /** Reads and checks an agreement file; errors name the file, the field and the line. */
    public static DataUseAgreement read(Path file) {
        return YamlFiles.read(file, DataUseAgreement.class);
    }

    /**
     * An agreement as it travels between parties: its canonical bytes (JSON is YAML). Refused unless
     * the bytes are exactly the canonical form, so what is checked is what was signed.
     */
    public static DataUseAgreement fromCanonical(byte[] canonical) {
        DataUseAgreement dua = YamlFiles.parse(new String(canonical, java.nio.charset.StandardCharsets.UTF_8),
                DataUseAgreement.class, "data use agreement (canonical JSON)");
        if (!java.util.Arrays.equals(dua.canonicalBytes(), canonical)) {
            throw new IllegalArgumentException("the data use agreement's bytes are not in canonical form;"
                    + " it was altered after signing or re-encoded");
        }
        return dua;
    }

    /** What both parties sign. */
    public byte[] canonicalBytes() {
        return Jcs.canonicalize(this);
    }

    public LocalDate from() {
        return LocalDate.parse(period.from());
    }

    public LocalDate to() {
        return LocalDate.parse(period.to());
    }

    private static LocalDate date(String field, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException | NullPointerException e) {
            throw bad(field, "must be an ISO date such as 2026-12-31, got " + value);
        }
    }

    private static void name(String field, String value) {
        try {
            Identity.checkName(field, value);
        } catch (PkiException e) {
            throw bad(field, "must be a MedVeil name as in the certificates (" + e.getMessage() + ")");
        }
    }

    private static void required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw bad(field, "is required");
        }
    }

    private static void nonEmpty(String field, List<String> values) {
        if (values == null || values.isEmpty() || values.stream().anyMatch(v -> v == null || v.isBlank())) {
            throw bad(field, "must list at least one non-empty entry");
        }
    }

    private static IllegalArgumentException bad(String field, String what) {
        return new IllegalArgumentException("data use agreement field '" + field + "' " + what);
    }
}
