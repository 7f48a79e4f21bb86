package org.medveil.governance.grade;

import java.util.List;

/** A computed level with every reason that contributed, highest first (REQ-GRADE-1). */
public record Grade(SensitivityLevel level, List<String> reasons) {
    public Grade {
        reasons = List.copyOf(reasons);
    }
}
