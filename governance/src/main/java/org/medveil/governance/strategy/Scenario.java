package org.medveil.governance.strategy;

/**
 * A de-identification scenario as Table 2 sees it. Availability is high when the de-identified
 * data must stay close to the original (low distortion); confidentiality is high when a leak
 * would be "serious" or "especially serious" (Table 2 note).
 */
public record Scenario(Rating availability, Rating confidentiality) {
    public Scenario {
        if (availability == null || confidentiality == null) {
            throw new IllegalArgumentException("a scenario needs both availability and confidentiality ratings");
        }
    }

    public String describe() {
        return "availability " + availability.english() + " / confidentiality " + confidentiality.english()
                + " (可用性" + availability.chinese() + "、保密性" + confidentiality.chinese() + ")";
    }
}
