package org.medveil.cli.deid;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.CliRun;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.io.DicomReader;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped synthetic-training profile takes everything 'medveil synth' writes: no image is refused. */
@Tag("REQ-DEID-4")
class SyntheticDeidTest {

    @TempDir
    Path dir;

    private static String succeed(String... args) {
        CliRun r = CliRun.run(args);
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r.out() + r.err());
        return r.out();
    }

    @Test
    void synthOutputIsDeidentifiedAndItsBurnedInNamesBlanked() throws Exception {
        succeed("synth", "--sites", "1", "--patients", "24", "--seed", "7", "--out", dir.resolve("data").toString());
        Path key = dir.resolve("project.key");
        Files.write(key, "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        String summary = succeed("deid", "--profile", Path.of("..", "config", "deid", "synthetic-training.yaml").toString(),
                "--key", key.toString(), "--no-progress", dir.resolve("data/site-1").toString(),
                dir.resolve("out").toString());
        assertTrue(summary.contains("de-identified 24 file(s)"), summary);
        assertFalse(summary.contains("refused by the profile"), summary);
        assertTrue(summary.contains("occlusion rule 'MedVeil synthetic CT (medveil synth)': 24"), summary);
        List<Path> outputs;
        try (Stream<Path> s = Files.walk(dir.resolve("out"))) {
            outputs = s.filter(p -> p.toString().endsWith(".dcm")).toList();
        }
        assertEquals(24, outputs.size());
        for (Path p : outputs) {
            DataSet ds = new DicomReader().read(p).dataSet();
            assertEquals("NO", ds.getString(0x00280301), "burned-in text blanked: " + p.getFileName());
            assertEquals("YES", ds.getString(0x00120062));
        }
    }
}
