package org.medveil.governance.consent;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The purposes of use a patient can consent to (REQ-ACQ-3; clause 5.1.2b asks that the consent
 * name the purpose of use, 使用目的). The set is closed: an unknown purpose in a consent file or a
 * use request is an error, never a silent match.
 *
 * <p>The standard names research analysis (研究分析, clause 5.5 level 2) as the use of
 * de-identified imaging; teaching and quality control are the other secondary uses hospital
 * consent forms commonly list. Joint modeling (联合建模) is not a purpose here but the separate
 * "consent to sharing" (是否授权同意共享, 5.1.2b) flag of {@link ConsentRecord#jointModeling()}:
 * a federated job is a use for one of these purposes that additionally shares model updates.
 */
public enum Purpose {
    /** Research analysis (研究分析): studies and model development on de-identified imaging. */
    RESEARCH("research"),
    /** Teaching (教学): training clinicians and students. */
    TEACHING("teaching"),
    /** Quality control (质量控制): checking acquisition and reporting quality. */
    QUALITY_CONTROL("quality-control");

    private final String id;

    Purpose(String id) {
        this.id = id;
    }

    /** The id used in CSV files, configuration and audit records, e.g. {@code quality-control}. */
    public String id() {
        return id;
    }

    /** The purpose with this exact id, or {@code null} when there is none. */
    public static Purpose fromIdOrNull(String id) {
        for (Purpose p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        return null;
    }

    public static String allIds() {
        return Arrays.stream(values()).map(Purpose::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
