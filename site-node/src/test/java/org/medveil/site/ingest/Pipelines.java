package org.medveil.site.ingest;

import org.medveil.dicom.deid.ProjectKey;
import org.medveil.governance.grade.Grader;
import org.medveil.governance.grade.SpecialDiseaseList;
import org.medveil.site.config.IngestProfile;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.config.SiteConfigTemplate;
import org.medveil.testsupport.External;

import java.nio.file.Path;
import java.util.Set;

/** Builds pipelines for tests from the example site.yaml (so the de-identification profile is loaded as in production). */
final class Pipelines {
    static final byte[] KEY = new byte[32];
    static final ProjectKey PROJECT_KEY = new ProjectKey(KEY);
    /** Stand-in for the consent registry's HMAC pseudonyms: a keyed hash, never the ID. */
    static final PatientKeys KEYS = id -> "pk-" + PROJECT_KEY.pseudonym("patient", id, 26);

    private Pipelines() {}

    static IngestPipeline create(Path dir, IngestProfile profile, ConsentLookup consent, IngestSink sink,
                                 IngestRecorder recorder) {
        SiteConfig c = SiteConfig.load(SiteConfigTemplate.write(dir, "TEST", 11112));
        return new IngestPipeline(profile, c.deidProfile(), c.deidDecision(), PROJECT_KEY,
                new Grader(SpecialDiseaseList.defaults()), KEYS, consent, sink, recorder);
    }

    static IngestProfile modalities(String... m) {
        return new IngestProfile(Set.of(m), Set.of(), Set.of(), java.util.List.of(), java.util.List.of(), false);
    }

    static Path testFile(String name) {
        return External.pydicomTestFile(name);
    }
}
