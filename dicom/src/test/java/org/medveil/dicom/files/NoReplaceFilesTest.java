package org.medveil.dicom.files;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Issue 9: an output is never replaced and never visible half-written, with hard links and without. */
@Tag("issue-9")
class NoReplaceFilesTest {
    @TempDir
    Path dir;

    @AfterEach
    void links() { NoReplaceFiles.useRenameForTests(false); }

    private static NoReplaceFiles.Content text(String s) {
        return out -> out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @ParameterizedTest(name = "rename fallback: {0}")
    @ValueSource(booleans = {false, true})
    void existingFilesAreComparedNeverReplaced(boolean rename) throws Exception {
        NoReplaceFiles.useRenameForTests(rename);
        Path t = dir.resolve("a.dcm");
        NoReplaceFiles.Same bytes = (x, y) -> Files.mismatch(x, y) == -1;
        assertEquals(NoReplaceFiles.Placed.CREATED, NoReplaceFiles.place(t, text("first"), bytes));
        assertEquals(NoReplaceFiles.Placed.SAME, NoReplaceFiles.place(t, text("first"), bytes));
        assertEquals(NoReplaceFiles.Placed.DIFFERENT, NoReplaceFiles.place(t, text("second"), bytes));
        assertEquals("first", Files.readString(t));
        assertEquals(List.of("a.dcm"), names(), "no temporary file left");
    }

    @ParameterizedTest(name = "rename fallback: {0}")
    @ValueSource(booleans = {false, true})
    void racingWritersLeaveExactlyOneFile(boolean rename) throws Exception {
        NoReplaceFiles.useRenameForTests(rename);
        Path t = dir.resolve("race.dcm");
        int n = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<NoReplaceFiles.Placed>> results = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                String content = "writer " + i + " ".repeat(100_000); // large enough for writes to overlap
                results.add(pool.submit(() -> {
                    go.await();
                    return NoReplaceFiles.place(t, text(content), (x, y) -> Files.mismatch(x, y) == -1);
                }));
            }
            go.countDown();
            int created = 0;
            int winner = -1;
            for (int i = 0; i < n; i++) {
                NoReplaceFiles.Placed p = results.get(i).get();
                if (p == NoReplaceFiles.Placed.CREATED) {
                    created++;
                    winner = i;
                } else {
                    assertEquals(NoReplaceFiles.Placed.DIFFERENT, p);
                }
            }
            assertEquals(1, created, "exactly one writer creates the file");
            assertEquals("writer " + winner, Files.readString(t).strip(), "the file holds the creator's content, whole");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("race.dcm"), names());
    }

    @ParameterizedTest(name = "rename fallback: {0}")
    @ValueSource(booleans = {false, true})
    void aWriterThatFailsLeavesNothing(boolean rename) throws Exception {
        NoReplaceFiles.useRenameForTests(rename);
        Path t = dir.resolve("b.dcm");
        assertThrows(IOException.class, () -> NoReplaceFiles.place(t, out -> {
            out.write(new byte[1 << 20]);
            throw new IOException("disk full (simulated)");
        }, (x, y) -> true));
        assertFalse(Files.exists(t), "no partial output under the final name");
        assertEquals(List.of(), names(), "no temporary file left");
    }
}
