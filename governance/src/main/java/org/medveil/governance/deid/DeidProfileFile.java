package org.medveil.governance.deid;

import java.util.List;

/**
 * A de-identification profile file (YAML), bound strictly by {@code YamlFiles}. See
 * {@code config/deid/*.yaml} for examples.
 *
 * @param name                    profile name, recorded in every object
 * @param scenario                the Table 2 scenario the profile is used in
 * @param options                 Annex E option ids (e.g. retain-uids, clean-descriptors)
 * @param dates                   "shift" (default) or "year": how cleaned dates are modified
 * @param maxDateShiftDays        largest per-patient shift, default 365
 * @param ageBandYears            0 (default) keeps retained ages exact; otherwise band width
 * @param safePrivate             extra safe private attributes "gggg,CREATOR,xx" (the shipped list is always included)
 * @param allowBurnedInAnnotation accept Burned In Annotation = YES without a matching occlusion rule
 * @param escrow                  escrow the originals for the holder of the escrow key
 * @param occlusionRules          rules file (relative to the profile file); absent: the shipped rules
 * @param override                written override of Table 2 for this profile, or absent
 */
public record DeidProfileFile(String name, ScenarioFile scenario, List<String> options, String dates,
                              Integer maxDateShiftDays, Integer ageBandYears, List<String> safePrivate,
                              Boolean allowBurnedInAnnotation, Boolean escrow, String occlusionRules,
                              OverrideFile override) {

    /** Table 2 ratings, "high" or "low". */
    public record ScenarioFile(String availability, String confidentiality) {}

    /** Who approved using a discouraged technique, and why. */
    public record OverrideFile(String justification, String approvedBy, String date) {}
}
