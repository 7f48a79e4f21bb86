package org.medveil.models.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelSpecException;

/** The rules that keep a site from running a TorchScript file it did not approve. */
class TorchScriptFileTest {

    @TempDir
    Path dir;

    private Path researcher;
    private Path site;
    private byte[] bytes;

    private void files() throws Exception {
        researcher = Files.createDirectories(dir.resolve("researcher"));
        site = Files.createDirectories(dir.resolve("site-models"));
        bytes = "not really a scripted module, but bytes to hash".getBytes(StandardCharsets.US_ASCII);
        Files.write(researcher.resolve("lesion.pt"), bytes);
        Files.write(site.resolve("lesion.pt"), bytes);
    }

    @Test
    void aBareFirstValueIsTheFileAndPrintsAsFileKey() {
        ModelSpec s = ModelSpec.parse("torchscript:lesion.pt,input=64");
        assertEquals("lesion.pt", s.params().get("file"));
        assertEquals("torchscript:file=lesion.pt,input=64", s.toString());
        assertEquals(s, ModelSpec.parse(s.toString()));
    }

    @Test
    void thePinnedDigestIsTheFilesAndASiteAcceptsOnlyThatFile() throws Exception {
        files();
        ModelSpec pinned = TorchScriptFile.pinned(ModelSpec.parse("torchscript:lesion.pt,input=32"), researcher);
        assertEquals(TorchScriptFile.sha256(bytes), pinned.params().get("sha256"));
        ModelSpec atSite = TorchScriptFile.locatedIn(pinned, site);
        assertEquals(site.resolve("lesion.pt").toString(), atSite.params().get("file"));
        assertArrayEquals(bytes, TorchScriptFile.verifiedBytes(atSite));

        Files.write(site.resolve("lesion.pt"), "a different module".getBytes(StandardCharsets.US_ASCII));
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> TorchScriptFile.verifiedBytes(atSite));
        assertTrue(e.getMessage().contains("refusing to run it"), e.getMessage());
    }

    @Test
    void aSiteRefusesPathsMissingDigestsMissingFilesAndNoModelsFolder() throws Exception {
        files();
        String digest = TorchScriptFile.sha256(bytes);
        for (String file : new String[] {"../researcher/lesion.pt", "/etc/passwd", ".hidden.pt", "sub\\x.pt"}) {
            ModelSpec s = ModelSpec.parse("torchscript:file=" + file + ",sha256=" + digest);
            assertTrue(assertThrows(ModelSpecException.class, () -> TorchScriptFile.locatedIn(s, site))
                    .getMessage().contains("plain file name"), file);
        }
        assertTrue(assertThrows(ModelSpecException.class,
                () -> TorchScriptFile.locatedIn(ModelSpec.parse("torchscript:lesion.pt"), site))
                .getMessage().contains("names no sha256"));
        assertTrue(assertThrows(ModelSpecException.class,
                () -> TorchScriptFile.locatedIn(ModelSpec.parse("torchscript:other.pt,sha256=" + digest), site))
                .getMessage().contains("not in this site's models folder"));
        assertTrue(assertThrows(ModelSpecException.class,
                () -> TorchScriptFile.locatedIn(ModelSpec.parse("torchscript:lesion.pt,sha256=" + digest), null))
                .getMessage().contains("no models folder"));
    }

    @Test
    void aStatedDigestThatDiffersFromTheResearchersFileIsAnError() throws Exception {
        files();
        ModelSpec s = ModelSpec.parse("torchscript:lesion.pt,sha256=" + "0".repeat(64));
        assertTrue(assertThrows(ModelSpecException.class, () -> TorchScriptFile.pinned(s, researcher))
                .getMessage().contains("but the spec names"));
    }
}
