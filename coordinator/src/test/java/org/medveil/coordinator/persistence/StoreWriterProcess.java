package org.medveil.coordinator.persistence;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Child process for {@link CoordinatorStoreCrashTest}: writes jobs, rounds, contributions,
 * decryption reservations, manifests and model files in a loop and prints an ACK line after each
 * write returned (committed), until it is killed.
 */
public final class StoreWriterProcess {

    private StoreWriterProcess() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        ModelFiles files = ModelFiles.open(Path.of(args[1]));
        String prefix = args[2];
        try (CoordinatorStore s = CoordinatorStore.open(url)) {
            for (int i = 0; ; i++) {
                String job = prefix + "-" + i;
                Instant now = Instant.now();
                s.insertJob(job, b("signed " + job), b("sig"), b("cert"), "spec", now);
                ack("JOB " + job);
                int attempt = s.startRound(job, 1, "m0", now);
                ack("ROUND " + job + " " + attempt);
                s.recordContribution(job, 1, attempt, "site-a", 2, "c-" + job, b("records " + job), (long) i);
                ack("CONTRIB " + job + " " + attempt);
                if (s.reserveDecryption(job, 1, attempt, 0)) {
                    ack("RESERVE " + job + " " + attempt);
                }
                String model = files.writeFloats(new float[]{i, i + 0.5f, -i - 1});
                ack("MODEL " + model + " " + i);
                s.finishRound(job, 1, attempt, model, null, "{\"i\":" + i + "}", now);
                ack("FINISH " + job);
                s.saveManifest(job, 1, "d-" + job, b("{\"job\":\"" + job + "\"}"), b("sig"));
                ack("MANIFEST " + job);
            }
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void ack(String what) {
        System.out.println("ACK " + what);
        System.out.flush();
    }
}
