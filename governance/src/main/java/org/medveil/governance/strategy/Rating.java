package org.medveil.governance.strategy;

/** High or low, as Table 2 rates required data availability and data confidentiality. */
public enum Rating {
    HIGH("high", "高"),
    LOW("low", "低");

    private final String english;
    private final String chinese;

    Rating(String english, String chinese) {
        this.english = english;
        this.chinese = chinese;
    }

    public String english() {
        return english;
    }

    public String chinese() {
        return chinese;
    }
}
