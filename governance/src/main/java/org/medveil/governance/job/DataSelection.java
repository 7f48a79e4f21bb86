package org.medveil.governance.job;

import java.util.List;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.governance.consent.Purpose;

/**
 * Which de-identified derivatives a job may train on at a site: the job spec's {@code selection}.
 * Empty lists mean "any". {@code maxGrade} is at most 3: grade 4 and 5 objects are never selectable
 * for joint modeling, whatever a job asks.
 */
public record DataSelection(List<String> modalities, List<String> bodyParts, List<ImagingCategory> categories,
        int maxGrade, Purpose purpose) {

    /** The highest grade any job may select (REQ-GRADE, joint modeling). */
    public static final int HIGHEST_SELECTABLE_GRADE = 3;

    public DataSelection {
        modalities = List.copyOf(modalities);
        bodyParts = List.copyOf(bodyParts);
        categories = List.copyOf(categories);
        if (maxGrade < 1 || maxGrade > HIGHEST_SELECTABLE_GRADE) {
            throw new IllegalArgumentException("selection.maxGrade must be 1.." + HIGHEST_SELECTABLE_GRADE
                    + " (grade 4 and 5 imaging is never used for joint modeling), was " + maxGrade);
        }
        if (purpose == null) {
            throw new IllegalArgumentException("selection.purpose is required");
        }
    }
}
