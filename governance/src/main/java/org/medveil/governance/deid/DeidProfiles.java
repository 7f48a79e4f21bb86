package org.medveil.governance.deid;

import org.medveil.dicom.deid.AnnexETable;
import org.medveil.dicom.deid.DateMode;
import org.medveil.dicom.deid.DeidProfile;
import org.medveil.dicom.deid.ProfileOption;
import org.medveil.dicom.deid.SafePrivateList;
import org.medveil.dicom.deid.SafePrivateTag;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.config.YamlFiles;
import org.medveil.governance.strategy.Rating;
import org.medveil.governance.strategy.Scenario;
import org.medveil.governance.strategy.StrategyDecision;
import org.medveil.governance.strategy.StrategyOverride;
import org.medveil.governance.strategy.StrategySelector;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Loads de-identification profile files and checks them against Table 2 (REQ-DEID-2, DEID-3). */
public final class DeidProfiles {
    private final StrategySelector selector;
    private final AnnexETechniques techniques;

    public DeidProfiles(StrategySelector selector, AnnexETechniques techniques) {
        this.selector = selector;
        this.techniques = techniques;
    }

    public static DeidProfiles standard() {
        return new DeidProfiles(new StrategySelector(), new AnnexETechniques(AnnexETable.standard()));
    }

    /** Reads and validates a profile file; every problem names the file and the field. */
    public LoadedProfile load(Path file) {
        DeidProfileFile f = YamlFiles.read(file, DeidProfileFile.class);
        String src = file.toString();
        if (f.name() == null || f.name().isBlank()) {
            throw new ConfigException(src + ": field 'name' is required");
        }
        if (f.scenario() == null) {
            throw new ConfigException(src + ": field 'scenario' is required (availability: high|low, confidentiality: high|low)");
        }
        Scenario scenario = new Scenario(rating(f.scenario().availability(), src, "scenario.availability"),
                rating(f.scenario().confidentiality(), src, "scenario.confidentiality"));
        Set<ProfileOption> options = EnumSet.noneOf(ProfileOption.class);
        for (String o : f.options() == null ? List.<String>of() : f.options()) {
            try {
                options.add(ProfileOption.fromId(o));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(src + ": field 'options': " + e.getMessage(), e);
            }
        }
        DateMode dates;
        String d = f.dates() == null ? "shift" : f.dates().strip().toLowerCase(Locale.ROOT);
        switch (d) {
            case "shift" -> dates = DateMode.SHIFT;
            case "year" -> dates = DateMode.YEAR;
            default -> throw new ConfigException(src + ": field 'dates' must be 'shift' or 'year', got '" + f.dates() + "'");
        }
        List<SafePrivateTag> safe = new ArrayList<>(SafePrivateList.shipped());
        for (String s : f.safePrivate() == null ? List.<String>of() : f.safePrivate()) {
            try {
                safe.add(SafePrivateTag.parse(s));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(src + ": field 'safePrivate': " + e.getMessage(), e);
            }
        }
        StrategyOverride override = null;
        if (f.override() != null) {
            try {
                override = new StrategyOverride(f.override().justification(), f.override().approvedBy(), f.override().date());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(src + ": field 'override': " + e.getMessage(), e);
            }
        }
        DeidProfile profile;
        try {
            profile = new DeidProfile(f.name(), options, dates, f.maxDateShiftDays() == null ? 365 : f.maxDateShiftDays(),
                    f.ageBandYears() == null ? 0 : f.ageBandYears(), safe,
                    Boolean.TRUE.equals(f.allowBurnedInAnnotation()), Boolean.TRUE.equals(f.escrow()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(src + ": " + e.getMessage(), e);
        }
        Path rules = null;
        if (f.occlusionRules() != null && !f.occlusionRules().isBlank()) {
            Path base = file.toAbsolutePath().getParent();
            rules = base.resolve(f.occlusionRules()).normalize();
        }
        return new LoadedProfile(file, profile, scenario, override, rules);
    }

    /**
     * Checks the profile's techniques against Table 2 for its scenario.
     *
     * @throws org.medveil.governance.strategy.StrategyViolationException citing Table 2 when a
     *         discouraged technique is used and the file carries no override
     */
    public StrategyDecision check(LoadedProfile p) {
        return selector.check(p.profile().name(), p.scenario(), techniques.techniquesOf(p.profile()), p.override());
    }

    private static Rating rating(String v, String src, String field) {
        if (v != null) {
            for (Rating r : Rating.values()) {
                if (r.english().equalsIgnoreCase(v.strip())) {
                    return r;
                }
            }
        }
        throw new ConfigException(src + ": field '" + field + "' must be 'high' or 'low', got '" + v + "'");
    }
}
