package org.medveil.governance.grade;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Computes the sensitivity level of an object (REQ-GRADE-1). Every rule that applies adds a
 * reason; the level is the highest any rule gives:
 * <ul>
 *   <li>special-disease match (codes or keywords) → 5;</li>
 *   <li>direct identifiers present, or not de-identified → 4;</li>
 *   <li>de-identified but quasi-identifiers kept (dates, device, institution, characteristics,
 *       a face in the pixels) → 3;</li>
 *   <li>de-identified with none kept → 2;</li>
 *   <li>declared public by its owner → 1, only when nothing above applies.</li>
 * </ul>
 */
public final class Grader {

    private final SpecialDiseaseList specialDiseases;

    public Grader(SpecialDiseaseList specialDiseases) {
        this.specialDiseases = specialDiseases;
    }

    private record Finding(SensitivityLevel level, String reason) {
    }

    public Grade grade(GradeFacts f) {
        List<Finding> found = new ArrayList<>();
        Optional<String> disease = specialDiseases.match(f.diagnosisCodes(), f.descriptions());
        disease.ifPresent(d -> found.add(new Finding(SensitivityLevel.L5, d)));
        if (!f.directIdentifiers().isEmpty()) {
            found.add(new Finding(SensitivityLevel.L4, "direct identifiers present: "
                    + f.directIdentifiers().stream().sorted().collect(Collectors.joining(", "))));
        }
        if (!f.deidentified()) {
            found.add(new Finding(SensitivityLevel.L4, "not de-identified"));
        }
        if (f.deidentified() && !f.quasiIdentifiers().isEmpty()) {
            found.add(new Finding(SensitivityLevel.L3, "de-identified, but keeps "
                    + f.quasiIdentifiers().stream().sorted().map(QuasiIdentifier::description)
                    .collect(Collectors.joining(", ")) + ", so it may be re-identified"));
        }
        if (f.deidentified() && f.quasiIdentifiers().isEmpty() && f.directIdentifiers().isEmpty()) {
            found.add(new Finding(SensitivityLevel.L2, "de-identified with no quasi-identifiers kept"));
        }
        SensitivityLevel top = found.stream().map(Finding::level).max(Comparator.naturalOrder())
                .orElse(SensitivityLevel.L4);
        if (f.declaredPublic()) {
            if (top == SensitivityLevel.L2) {
                return new Grade(SensitivityLevel.L1, List.of("declared public by its owner", found.get(0).reason()));
            }
            found.add(new Finding(top, "declared public, but level " + top.level() + " data cannot be public"));
        }
        found.sort(Comparator.comparing(Finding::level).reversed());
        return new Grade(top, found.stream().map(Finding::reason).toList());
    }
}
