package org.medveil.dicom.net;

import org.junit.jupiter.api.Test;
import org.medveil.dicom.Environment;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Idle TCP connections (no A-ASSOCIATE-RQ) lose their association slot after the request timeout. */
class IdleConnectionsTest {

    @Test
    void idleConnectionsBeyondTheLimitDoNotBlockARealSenderAfterTheRequestTimeout() throws Exception {
        AtomicInteger stored = new AtomicInteger();
        // ARTIM long on purpose: only the accept-to-RQ deadline may free the slots here
        ScpConfig config = ScpConfig.of("MEDVEIL", 0).withBindAddress("127.0.0.1").withMaxAssociations(2)
                .withArtim(Duration.ofSeconds(60)).withRequestTimeout(Duration.ofMillis(700));
        try (StorageScp scp = new StorageScp(config, o -> stored.incrementAndGet()).start()) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    idle.add(new Socket("127.0.0.1", scp.port()));
                }
                Thread.sleep(2000); // well past 700 ms; the idle sockets stay open on our side
                String[] r = Environment.run(List.of(Environment.tool("storescu").toString(), "-aec", "MEDVEIL",
                        "127.0.0.1", Integer.toString(scp.port()),
                        Environment.corpusFile("test_files/CT_small.dcm").toString()));
                assertEquals("0", r[0], "storescu was blocked by idle connections: " + r[1] + r[2]);
                assertEquals(1, stored.get());
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
        }
    }
}
