package org.medveil.models;

import java.util.ArrayList;
import java.util.List;
import org.medveil.models.data.DicomImageReader;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.data.Normalization;
import org.medveil.models.synth.SiteProfile;
import org.medveil.models.synth.SyntheticGenerator;
import org.medveil.models.synth.SyntheticImage;

/** Synthetic sites decoded in memory through the same reader as files (no disk round trip). */
public final class SynthFixture {
    private SynthFixture() {}

    public static List<LabeledImage> site(long seed, int siteIndex, int patients, int size) {
        SyntheticGenerator gen = new SyntheticGenerator(seed);
        DicomImageReader reader = new DicomImageReader(Normalization.DEFAULT, size);
        SiteProfile profile = SiteProfile.standard(siteIndex);
        List<LabeledImage> out = new ArrayList<>();
        for (int p = 0; p < patients; p++) {
            SyntheticImage im = gen.image(profile, siteIndex, p);
            DicomImageReader.Decoded d = reader.decode(im.dataSet(), "synthetic image " + p);
            out.add(new LabeledImage(d.sopInstanceUid(), profile.name(), size, d.pixels(), im.label()));
        }
        return out;
    }

    public static List<LabeledImage> sites(long seed, int sites, int patients, int size) {
        List<LabeledImage> out = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            out.addAll(site(seed, s, patients, size));
        }
        return out;
    }
}
