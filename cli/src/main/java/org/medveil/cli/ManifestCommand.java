package org.medveil.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.Callable;
import org.medveil.governance.canonical.CanonicalException;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.manifest.ManifestReport;
import org.medveil.governance.manifest.ManifestText;
import org.medveil.governance.manifest.ManifestVerifier;
import org.medveil.governance.manifest.RoundManifest;
import org.medveil.governance.pki.Pem;
import org.medveil.governance.pki.PkiException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code medveil manifest}: offline checks of a job's signed, chained round manifests (REQ-FL-2, REQ-FL-3). */
@Command(name = "manifest", mixinStandardHelpOptions = true,
        description = "Verify or show the signed, chained round manifests of a federated job.",
        subcommands = {ManifestCommand.Verify.class, ManifestCommand.Show.class})
final class ManifestCommand extends CommandGroup {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Verify a manifest folder with only the project CA certificate: coordinator.pem issued by the"
                    + " CA to the coordinator, every round-NNNNNN.json canonical (RFC 8785) and signed by it, rounds"
                    + " numbered from 1 without gaps, each naming the SHA-256 of the round before, and every site"
                    + " countersignature by a participant under its own certificate.",
                    "Exit 0 when intact, 1 when tampered (the first bad file is named), 2 on usage errors."})
    static final class Verify implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "The manifest folder (round-*.json, *.sig, *.pem).")
        Path dir;
        @Option(names = "--ca", required = true, paramLabel = "CA.pem", description = "The project CA certificate (PEM).")
        Path ca;
        @Option(names = "--require-countersignatures",
                description = "Fail when a participating site has not countersigned its round (default: a warning).")
        boolean requireCountersignatures;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.isDirectory(dir)) {
                err.println("medveil: error: manifest folder " + dir + " does not exist or is not a folder");
                return 2;
            }
            X509Certificate caCert;
            try {
                caCert = Pem.readCertificate(ca);
            } catch (PkiException e) {
                err.println("medveil: error: --ca: " + e.getMessage());
                return 2;
            }
            ManifestReport r = ManifestVerifier.verify(dir, caCert, requireCountersignatures);
            for (ManifestReport.Problem p : r.problems()) {
                out.println("TAMPERED: " + p);
            }
            for (String w : r.warnings()) {
                out.println("warning: " + w);
            }
            String counts = r.rounds() + " round(s) of job " + (r.jobId() == null ? "(none)" : r.jobId()) + ", "
                    + r.countersignatures() + " site countersignature(s)";
            if (r.ok()) {
                out.println("OK: " + dir + ": " + counts + "; last manifest sha256:" + r.lastDigest());
                return 0;
            }
            out.println("FAILED: " + dir + ": first bad file: " + r.problems().get(0) + ". Verified before it: " + counts);
            return 1;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print one round manifest for people: job, sites with their agreements and data, digests,"
                    + " quorum, metrics. It does not check signatures; use 'manifest verify' on the folder for that.",
                    "Exit 0, 1 when the file is not a canonical round manifest, 2 on usage errors."})
    static final class Show implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "A round-NNNNNN.json file.")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                spec.commandLine().getErr().println("medveil: error: " + file + " does not exist or is not a file");
                return 2;
            }
            RoundManifest m;
            try {
                m = Jcs.read(Files.readAllBytes(file), RoundManifest.class);
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            } catch (CanonicalException e) {
                throw new CliException(file + " is not a round manifest as the coordinator writes it: " + e.getMessage());
            }
            spec.commandLine().getOut().print(ManifestText.render(m));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
