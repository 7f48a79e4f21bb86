package org.medveil.models.torch;

import java.util.ArrayList;
import java.util.List;
import org.medveil.models.data.DicomImageReader;
import org.medveil.models.data.LabeledImage;
import org.medveil.models.data.Normalization;
import org.medveil.models.synth.SiteProfile;
import org.medveil.models.synth.SyntheticGenerator;
import org.medveil.models.synth.SyntheticImage;

/** The synthetic multi-site CT task, decoded in memory through the same reader as files. */
final class Synth {
    private Synth() {}

    static List<LabeledImage> sites(long seed, int sites, int patients, int size) {
        SyntheticGenerator gen = new SyntheticGenerator(seed);
        DicomImageReader reader = new DicomImageReader(Normalization.DEFAULT, size);
        List<LabeledImage> out = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            SiteProfile profile = SiteProfile.standard(s);
            for (int p = 0; p < patients; p++) {
                SyntheticImage im = gen.image(profile, s, p);
                DicomImageReader.Decoded d = reader.decode(im.dataSet(), "synthetic image " + p);
                out.add(new LabeledImage(d.sopInstanceUid(), profile.name(), size, d.pixels(), im.label()));
            }
        }
        return out;
    }
}
