package org.medveil.cli.dicom;

import org.medveil.dicom.net.DirectoryStore;
import org.medveil.dicom.net.ScpConfig;
import org.medveil.dicom.net.StorageScp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code medveil dicom scp}: a standalone C-ECHO/C-STORE SCP writing what it receives to a folder. */
@Command(name = "scp", mixinStandardHelpOptions = true,
        description = "Run a storage SCP (C-ECHO, C-STORE) that writes each received object to --out as a "
                + "Part 10 file named by a digest of its SOP Instance UID. Stops on Ctrl-C.")
public final class ScpCommand implements Runnable {
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

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        ScpConfig config;
        try {
            config = ScpConfig.of(aet, port).withBindAddress(bind)
                    .withAllowedCallingAes(new LinkedHashSet<>(allowAet)).withAllowedHosts(new LinkedHashSet<>(allowHost))
                    .withMaxAssociations(maxAssociations).withArtim(Duration.ofSeconds(artimSeconds));
        } catch (IllegalArgumentException e) {
            throw new DicomCliException("invalid SCP setting: " + e.getMessage());
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (StorageScp scp = new StorageScp(config, new DirectoryStore(out))) {
            scp.start();
            Thread hook = new Thread(stop::countDown, "scp-shutdown");
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
