package org.medveil.coordinator.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.proto.transfer.PartSink;
import org.medveil.proto.transfer.PartSource;
import org.medveil.proto.transfer.TransferException;
import org.medveil.proto.transfer.TransferStore;

/**
 * Who may read and write the round objects through the Transfer service (real files): every key
 * holder reads every listed site's contribution records, but only a site writes its own update,
 * records and challenges, and no site reads another's update or challenges.
 */
class JobObjectsTest {

    private static final String JOB = "job-0123456789abcdef";
    private static final String ROUND = JOB + "/round-0";

    @TempDir
    Path dir;

    private static void write(TransferStore store, String object, String caller, String content) throws Exception {
        byte[] part = content.getBytes(StandardCharsets.UTF_8);
        try (PartSink sink = store.openWrite(object, caller)) {
            sink.accept(0, ByteString.copyFrom(part));
            sink.finish(MessageDigest.getInstance("SHA-256").digest(part));
        }
    }

    private static String read(TransferStore store, String object, String caller) throws Exception {
        try (PartSource src = store.openRead(object, caller)) {
            return src.part(0).toStringUtf8();
        }
    }

    @Test
    void recordsAreReadableByTheJobsSitesAndWritableOnlyByTheirOwnSite() throws Exception {
        Set<String> sites = Set.of("site-a", "site-b");
        JobObjects objects = new JobObjects(dir, (site, job) -> job.equals(JOB) && sites.contains(site));
        TransferStore t = objects.transferStore();

        write(t, ROUND + "/update/site-a", "site-a", "update of a");
        write(t, ROUND + "/update/site-a/records", "site-a", "records of a");
        write(t, ROUND + "/challenge/site-a", "site-a", "challenges of a");
        // the object store sees both, side by side: the update file and the records under its name
        assertArrayEquals("update of a".getBytes(StandardCharsets.UTF_8), objects.get(ROUND + "/update/site-a").next());
        assertEquals(List.of("records of a"), List.of(new String(objects.get(ROUND + "/update/site-a/records").next(),
                StandardCharsets.UTF_8)));

        // another key holder of the job reads a's records, not a's update or challenges
        assertEquals("records of a", read(t, ROUND + "/update/site-a/records", "site-b"));
        assertThrows(TransferException.class, () -> read(t, ROUND + "/update/site-a", "site-b"));
        assertThrows(TransferException.class, () -> read(t, ROUND + "/challenge/site-a", "site-b"));
        // a site outside the job reads nothing of it
        assertThrows(TransferException.class, () -> read(t, ROUND + "/update/site-a/records", "site-x"));
        // nobody but a writes a's records or challenges
        assertThrows(TransferException.class, () -> write(t, ROUND + "/update/site-a/records", "site-b", "forged"));
        assertThrows(TransferException.class, () -> write(t, ROUND + "/challenge/site-a", "site-b", "forged"));
        assertThrows(TransferException.class, () -> write(t, ROUND + "/update/site-a/other", "site-a", "x"));
        assertEquals("records of a", read(t, ROUND + "/update/site-a/records", "site-a"));
    }

    @Test
    void bytesTheSitesMoveAreCountedPerRound() throws Exception {
        JobObjects objects = new JobObjects(dir, (site, job) -> job.equals(JOB));
        TransferStore t = objects.transferStore();
        objects.put(ROUND + "/model", List.of(new byte[1000], new byte[24]));
        try (PartSource src = t.openRead(ROUND + "/model", "site-a")) {
            src.part(0);
            src.part(1);
        }
        write(t, ROUND + "/update/site-a", "site-a", "12345");
        write(t, JOB + "/round-1/update/site-a", "site-a", "1234567");
        objects.get(ROUND + "/update/site-a").next(); // the coordinator's own reads and writes do not count
        assertArrayEquals(new long[] {1024, 5}, objects.transferred(JOB, 0));
        assertArrayEquals(new long[] {0, 7}, objects.transferred(JOB, 1));
        assertArrayEquals(new long[] {0, 0}, objects.transferred(JOB, 2));
    }
}
