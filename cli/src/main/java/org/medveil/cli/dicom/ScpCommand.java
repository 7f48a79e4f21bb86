package org.medveil.cli.dicom;

import org.medveil.dicom.net.DirectoryStore;
import org.medveil.dicom.net.ScpConfig;
import org.medveil.dicom.net.StorageScp;
import org.medveil.governance.pki.Kit;
import org.medveil.site.ingest.ScpTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** {@code medveil dicom scp}: a standalone C-ECHO/C-STORE SCP writing what it receives to a folder. */
@Command(name = "scp", mixinStandardHelpOptions = true,
        description = {"Run a storage SCP (C-ECHO, C-STORE) that writes each received object to --out as a "
                + "Part 10 file named by a digest of its SOP Instance UID. Stops on Ctrl-C.",
                "A stored file is never replaced: the same object again is answered success without a second copy; "
                        + "a different object with a stored SOP Instance UID is refused (status 0xA770, "
                        + "'duplicate SOP Instance UID, different content')."})
public final class ScpCommand implements Runnable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScpCommand.class);

    @Option(names = "--aet", required = true, paramLabel = "AE", description = "Our AE title (callers must call it).")
    String aet;

    @Option(names = "--port", required = true, paramLabel = "P", description = "TCP port to listen on.")
    int port;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for received files.")
    Path out;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0", description = "Listen address (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--allow-aet", paramLabel = "AE", split = ",", description = "Accept only these calling AE titles.")
    List<String> allowAet = List.of();

    @Option(names = "--allow-host", paramLabel = "IP", split = ",", description = "Accept only these peer IP addresses.")
    List<String> allowHost = List.of();

    @Option(names = "--max-associations", defaultValue = "16", description = "Concurrent associations (default: ${DEFAULT-VALUE}).")
    int maxAssociations;

    @Option(names = "--artim", defaultValue = "10", paramLabel = "SECONDS", description = "ARTIM timeout (default: ${DEFAULT-VALUE}).")
    int artimSeconds;

    @Option(names = "--request-timeout", defaultValue = "5", paramLabel = "SECONDS",
            description = "Close a connection that sent no A-ASSOCIATE-RQ within this time, freeing its slot (default: ${DEFAULT-VALUE}).")
    int requestTimeoutSeconds;

    @Option(names = "--tls-kit", paramLabel = "DIR",
            description = "Serve DICOM over TLS with this site's startup kit (its certificate and key).")
    Path tlsKit;

    @Option(names = "--tls-trust", paramLabel = "PEM",
            description = "With --tls-kit: require each sender to present a certificate issued by one of the CA"
                    + " certificates in this PEM file (your modalities' or PACS's CA).")
    Path tlsTrust;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * The SCP's TLS context: the site kit's certificate, and when {@code trust} is given the CA
     * certificates senders must chain to (then a client certificate is required).
     */
    static SSLContext tlsContext(Path kit, Path trust) {
        try {
            return ScpTls.context(Kit.load(kit), trust);
        } catch (IllegalArgumentException e) {
            throw new DicomCliException(e.getMessage().replace("the TLS trust file", "--tls-trust file"), e);
        }
    }

    @Override
    public void run() {
        ScpConfig config;
        try {
            config = ScpConfig.of(aet, port).withBindAddress(bind)
                    .withAllowedCallingAes(new LinkedHashSet<>(allowAet)).withAllowedHosts(new LinkedHashSet<>(allowHost))
                    .withMaxAssociations(maxAssociations).withArtim(Duration.ofSeconds(artimSeconds))
                    .withRequestTimeout(Duration.ofSeconds(requestTimeoutSeconds));
            if (tlsTrust != null && tlsKit == null) {
                throw new DicomCliException("--tls-trust needs --tls-kit: the SCP presents the site kit's certificate");
            }
            if (tlsKit != null) {
                config = config.withTls(tlsContext(tlsKit, tlsTrust), tlsTrust != null);
            }
        } catch (IllegalArgumentException e) {
            throw new DicomCliException("invalid SCP setting: " + e.getMessage());
        }
        CountDownLatch stop = new CountDownLatch(1);
        // the port is bound before --out is created: a port in use must not leave an empty folder behind.
        // Until the folder is there an arriving object gets a failure status (the sender retries), never success.
        AtomicReference<DirectoryStore> store = new AtomicReference<>();
        try (StorageScp scp = new StorageScp(config, o -> {
            DirectoryStore d = store.get();
            if (d == null) {
                throw new IOException("output folder not ready yet");
            }
            d.store(o);
        })) {
            scp.start();
            store.set(new DirectoryStore(out));
            Thread hook = new Thread(() -> {
                LOG.info("scp stopping: {} associations open", scp.openCount());
                stop.countDown();
            }, "scp-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            spec.commandLine().getOut().println("SCP " + aet + " listening on " + bind + ":" + scp.port() + ", writing to " + out);
            spec.commandLine().getOut().flush();
            stop.await();
        } catch (IOException e) {
            throw new DicomCliException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
