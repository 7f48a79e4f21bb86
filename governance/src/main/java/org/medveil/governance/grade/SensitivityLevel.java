package org.medveil.governance.grade;

/** The five levels of clause 5.5 (REQ-GRADE-1), lowest to highest. */
public enum SensitivityLevel {
    L1(1, "fully public data", "public"),
    L2(2, "cannot identify a person", "doctors of any department, after application and approval, for research"),
    L3(3, "partially de-identified, may be re-identified", "the authorized project group only"),
    L4(4, "can directly identify a person", "clinical staff treating the patient only"),
    L5(5, "detailed images of a special disease", "attending clinical staff only, under strict control");

    private final int level;
    private final String meaning;
    private final String access;

    SensitivityLevel(int level, String meaning, String access) {
        this.level = level;
        this.meaning = meaning;
        this.access = access;
    }

    public int level() {
        return level;
    }

    public String meaning() {
        return meaning;
    }

    /** Who may access data of this level, per the standard. */
    public String access() {
        return access;
    }

    public static SensitivityLevel of(int level) {
        for (SensitivityLevel l : values()) {
            if (l.level == level) {
                return l;
            }
        }
        throw new IllegalArgumentException("sensitivity level must be 1-5, was " + level);
    }
}
