package org.medveil.governance.deid;

import org.medveil.dicom.deid.Action;
import org.medveil.dicom.deid.AnnexEEntry;
import org.medveil.dicom.deid.AnnexETable;
import org.medveil.dicom.deid.DateMode;
import org.medveil.dicom.deid.DeidProfile;
import org.medveil.dicom.deid.ProfileOption;
import org.medveil.dicom.VR;
import org.medveil.dicom.dict.DataDictionary;
import org.medveil.governance.strategy.Technique;

import java.util.EnumSet;
import java.util.Set;

/**
 * Which Table 2 techniques a de-identification profile uses (REQ-DEID-3): every Annex E action
 * the profile can apply maps onto the standard's catalogue. X and C are masking, Z null
 * insertion, D and U substitution; cleaned dates are random perturbation (shift) or
 * generalization (year); age bands are generalization; occlusion of pixels is occlusion; escrow
 * is symmetric encryption.
 */
public final class AnnexETechniques {
    private final AnnexETable table;

    public AnnexETechniques(AnnexETable table) { this.table = table; }

    public Set<Technique> techniquesOf(DeidProfile profile) {
        Set<Technique> used = EnumSet.noneOf(Technique.class);
        DataDictionary dict = DataDictionary.standard();
        for (AnnexEEntry e : table.entries()) {
            Action a = e.actionFor(profile.options()).resolveConservatively();
            VR vr = dict.vrOf(e.tag());
            switch (a) {
                case X -> used.add(Technique.MASKING);
                case Z -> used.add(Technique.NULL_INSERTION);
                case D, U -> used.add(Technique.SUBSTITUTION);
                case C -> used.add(vr == VR.DA || vr == VR.DT ? dateTechnique(profile)
                        : vr == VR.AS ? Technique.GENERALIZATION : vr == VR.UI ? Technique.SUBSTITUTION : Technique.MASKING);
                case K -> {
                    if (vr == VR.AS && profile.ageBandYears() > 0) {
                        used.add(Technique.GENERALIZATION);
                    }
                }
                default -> throw new IllegalStateException("unresolved action " + a);
            }
        }
        if (!profile.has(ProfileOption.RETAIN_SAFE_PRIVATE)) {
            used.add(Technique.MASKING);
        }
        if (profile.cleansPixels()) {
            used.add(Technique.OCCLUSION);
        }
        if (profile.escrow()) {
            used.add(Technique.SYMMETRIC_ENCRYPTION);
        }
        return used;
    }

    private static Technique dateTechnique(DeidProfile p) {
        return p.dateMode() == DateMode.YEAR ? Technique.GENERALIZATION : Technique.RANDOM_PERTURBATION;
    }

}
