package org.medveil.dicom.deid;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A de-identification profile: the Basic Profile plus the enabled options and MedVeil's choices
 * for what the standard leaves open.
 *
 * @param name                   shown in De-identification Method (0012,0063)
 * @param options                enabled Annex E options
 * @param dateMode               how cleaned dates are modified
 * @param maxDateShiftDays       dates shift back by 1..this many days (per patient)
 * @param ageBandYears           0 keeps retained ages exact; otherwise ages become the lower bound of
 *                               bands this wide (and 90 and over become 090Y)
 * @param safePrivate            private attributes kept under Retain Safe Private
 * @param allowUnmatchedBurnedIn accept Burned In Annotation = YES without an occlusion rule
 * @param escrow                 keep the removed originals, encrypted, in the Encrypted Attributes Sequence
 */
public record DeidProfile(String name, Set<ProfileOption> options, DateMode dateMode, int maxDateShiftDays,
                          int ageBandYears, List<SafePrivateTag> safePrivate, boolean allowUnmatchedBurnedIn,
                          boolean escrow) {
    public DeidProfile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a de-identification profile needs a name");
        }
        options = options.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(options));
        if (options.contains(ProfileOption.RETAIN_LONGITUDINAL_FULL_DATES)
                && options.contains(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES)) {
            throw new IllegalArgumentException("profile '" + name + "' enables both retain-longitudinal-full-dates and "
                    + "retain-longitudinal-modified-dates; PS3.15 E.3.6 makes them alternatives: choose one");
        }
        if (maxDateShiftDays < 1 || maxDateShiftDays > 36500) {
            throw new IllegalArgumentException("profile '" + name + "': maxDateShiftDays must be 1..36500, got "
                    + maxDateShiftDays);
        }
        if (ageBandYears < 0 || ageBandYears > 50) {
            throw new IllegalArgumentException("profile '" + name + "': ageBandYears must be 0..50, got " + ageBandYears);
        }
        dateMode = dateMode == null ? DateMode.SHIFT : dateMode;
        safePrivate = List.copyOf(safePrivate);
    }

    /** The Basic Profile alone. */
    public static DeidProfile basic() {
        return new DeidProfile("basic", Set.of(), DateMode.SHIFT, 365, 0, List.of(), false, false);
    }

    /** The Basic Profile with {@code extra} options (safe private list: the shipped one). */
    public static DeidProfile withOptions(String name, Set<ProfileOption> extra) {
        return new DeidProfile(name, extra, DateMode.SHIFT, 365, 0, SafePrivateList.shipped(), false, false);
    }

    public boolean has(ProfileOption o) { return options.contains(o); }

    /** Whether occlusion rules are applied to pixel data. */
    public boolean cleansPixels() {
        return has(ProfileOption.CLEAN_PIXEL_DATA) || has(ProfileOption.CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
    }

    public DeidProfile withEscrow(boolean on) {
        return new DeidProfile(name, options, dateMode, maxDateShiftDays, ageBandYears, safePrivate,
                allowUnmatchedBurnedIn, on);
    }

    public DeidProfile withDates(DateMode mode) {
        return new DeidProfile(name, options, mode, maxDateShiftDays, ageBandYears, safePrivate,
                allowUnmatchedBurnedIn, escrow);
    }

    public DeidProfile withAgeBands(int years) {
        return new DeidProfile(name, options, dateMode, maxDateShiftDays, years, safePrivate,
                allowUnmatchedBurnedIn, escrow);
    }

    public DeidProfile allowingUnmatchedBurnedIn(boolean allow) {
        return new DeidProfile(name, options, dateMode, maxDateShiftDays, ageBandYears, safePrivate, allow, escrow);
    }
}
