package org.medveil.governance.deid;

import org.medveil.dicom.deid.DeidProfile;
import org.medveil.governance.strategy.Scenario;
import org.medveil.governance.strategy.StrategyOverride;

import java.nio.file.Path;

/**
 * A profile file after validation: the engine's profile, its Table 2 scenario, its override (or
 * null) and its occlusion rules file (or null for the shipped rules).
 */
public record LoadedProfile(Path source, DeidProfile profile, Scenario scenario, StrategyOverride override,
                            Path occlusionRules) {}
