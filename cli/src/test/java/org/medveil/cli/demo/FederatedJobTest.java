package org.medveil.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.proto.admin.JobStatus;

/** A whole federation in this JVM: coordinator and 3 site nodes over mutual TLS on loopback, one HE job. */
class FederatedJobTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("3 sites ingest, accept a signed job under their DUAs, train 2 HE rounds; manifests verify")
    void heJobCompletes() throws Exception {
        Demo.Options o = new Demo.Options(3, 20, 10, 2, 1, true, "cnn:input=16,filters=2,dense=8", 1, dir);
        List<String> log = new ArrayList<>();
        try (Demo demo = new Demo(o)) {
            Demo.Outcome r = demo.run(new Demo.Progress() {
                @Override
                public void step(String what) {
                    log.add(what);
                }

                @Override
                public void job(JobStatus s) {
                    log.add(s.getState() + " " + s.getCurrentRound());
                }
            });
            assertEquals("completed", r.job().getState(), log.toString());
            assertEquals(2, r.job().getRoundSummariesCount());
            assertTrue(r.manifests().ok(), r.manifests().problems().toString());
            assertEquals(2, r.manifests().rounds());
        }
    }
}
