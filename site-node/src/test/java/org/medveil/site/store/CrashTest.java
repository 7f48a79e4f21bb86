package org.medveil.site.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.crypto.CipherSuite;

/**
 * Kills a process putting objects with SIGKILL at random moments, at least 20 times, and checks
 * after each kill: every acknowledged object reads back with its digest, every indexed object is
 * whole, and verify finds nothing but the orphans open reported, which {@code removeOrphans}
 * clears. (SIGKILL kills the process, not the machine: data in the page cache survives, so this
 * test shows ordering, not fsync; see the README.)
 */
class CrashTest {

    private static final int RUNS = 20;

    @TempDir
    Path tmp;

    @Test
    void acknowledgedObjectsSurviveKillNineAndHalfWrittenOnesNeverShow() throws Exception {
        SiteKeystore ks = StoreFiles.keystore(tmp, CipherSuite.AES_256_GCM);
        Path pw = tmp.resolve("pw.txt");
        StoreFiles.writeOwnerOnly(pw, StoreFiles.PASSWORD);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, String> acked = new HashMap<>();
        int tempFiles = 0;
        int orphans = 0;
        long started = System.nanoTime();
        for (int run = 0; run < RUNS; run++) {
            Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), CrashPutter.class.getName(),
                    tmp.resolve("data").toString(), ks.path().toString(), "file:" + pw)
                    .redirectError(tmp.resolve("child-" + run + ".err").toFile()).start();
            Map<String, String> acks = new ConcurrentHashMap<>();
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.equals("READY")) {
                            ready.countDown();
                        } else if (line.startsWith("ACK ")) {
                            String[] f = line.split(" ");
                            acks.put(f[1], f[2]);
                        }
                    }
                } catch (java.io.IOException e) {
                    // stream closed by the kill
                }
            });
            reader.start();
            assertTrue(ready.await(20, TimeUnit.SECONDS), "child " + run + " did not start; see child-" + run + ".err");
            if (run == 0) {
                // a second process cannot open the folder while the child holds it
                StoreException busy = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
                        () -> StoreFiles.store(tmp, ks));
                assertTrue(busy.getMessage().contains("is in use by another process"), busy.getMessage());
            }
            Thread.sleep(ThreadLocalRandom.current().nextInt(20, 400));
            p.destroyForcibly();   // SIGKILL
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
            acked.putAll(acks);

            try (ObjectStore store = StoreFiles.store(tmp, ks)) {
                ObjectStore.Recovery rec = store.recovery();
                tempFiles += rec.tempFilesRemoved();
                orphans += rec.orphans().size();
                for (Map.Entry<String, String> a : acked.entrySet()) {
                    byte[] b = store.read(a.getKey());   // throws if lost or partial
                    assertEquals(a.getValue(), HexFormat.of().formatHex(MerkleTree.sha256().digest(b)),
                            "run " + run + ": acknowledged object " + a.getKey());
                }
                for (StoredObject o : store.list(ObjectFilter.all())) {
                    assertEquals(o.size(), store.read(o.id()).length, "indexed object " + o.id() + " is whole");
                }
                // putPair is all or nothing: in the pairs' dataset every original has exactly one
                // derivative and every derivative's parent is indexed
                List<StoredObject> pairs = store.list(new ObjectFilter(null, "crash-pair", null, null));
                Set<String> originals = pairs.stream().filter(o -> o.kind() == StoredObjectKind.ORIGINAL)
                        .map(StoredObject::id).collect(Collectors.toSet());
                List<String> parents = pairs.stream().filter(o -> o.kind() == StoredObjectKind.DERIVATIVE)
                        .map(o -> o.meta().parentId()).sorted().toList();
                assertEquals(originals.stream().sorted().toList(), parents, "run " + run + ": a pair was half indexed");
                StoreVerifier.Report before = new StoreVerifier(store).verify();
                assertEquals(List.of(), before.altered(), "run " + run);
                assertEquals(List.of(), before.missing(), "run " + run);
                assertEquals(List.of(), before.rootMismatches(), "run " + run);
                Set<String> extra = before.extra().stream().map(StoreVerifier.Finding::id).collect(Collectors.toSet());
                assertTrue(rec.orphans().containsAll(extra), "run " + run + ": extra files " + extra
                        + " are not orphans " + rec.orphans());
                assertEquals(rec.orphans().size(), store.removeOrphans());
                StoreVerifier.Report after = new StoreVerifier(store).verify();
                assertTrue(after.ok(), "run " + run + ": " + after.lines());
            }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        System.out.printf("crash test: %d runs, %d acknowledged objects, %d temp files and %d orphans cleaned, %d s%n",
                RUNS, acked.size(), tempFiles, orphans, seconds);
        assertTrue(acked.size() >= RUNS, "the children acknowledged too few objects to test anything");
        assertTrue(tempFiles + orphans > 0, "no kill landed inside a put; the test did not exercise the window");
    }
}
