package org.medveil.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.medveil.governance.dua.DataUseAgreement;
import org.medveil.governance.dua.DuaReport;
import org.medveil.governance.dua.DuaSignature;
import org.medveil.governance.dua.DuaVerifier;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.Pem;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.governance.pki.Role;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code medveil dua}: sign and check data use agreements (REQ-TX-1, REQ-USE-2). */
@Command(name = "dua", mixinStandardHelpOptions = true,
        description = "Sign and verify data use agreements between a site's data manager and a researcher.",
        subcommands = {DuaCommand.Sign.class, DuaCommand.Verify.class})
final class DuaCommand extends CommandGroup {

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = {"Sign an agreement with your user kit (data manager or researcher named in it). Writes"
                    + " DUA.yaml.ROLE.sig (DER ECDSA over the agreement's canonical JSON) and DUA.yaml.ROLE.pem.",
                    "The YAML may be reformatted or commented later; changing any value voids the signatures."})
    static final class Sign implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DUA.yaml", description = "The agreement.")
        Path file;
        @Option(names = "--kit", required = true, paramLabel = "USER_KIT", description = "Your user kit folder.")
        Path kit;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            DataUseAgreement dua = DataUseAgreement.read(file);
            Kit k = Kit.load(kit);
            DuaSignature s = DuaSignature.sign(dua, k);
            s.write(file);
            spec.commandLine().getOut().println("signed " + dua.id() + " as " + k.identity().describe() + ": "
                    + DuaSignature.signatureFile(file, s.role()));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check that an agreement is in force: signed by the data manager and the researcher it names"
                    + " (user certificates of the project CA with those roles, valid and not revoked), unchanged since,"
                    + " and the date within its period.",
                    "Exit 0 in force, 1 not in force (every reason printed), 2 on usage errors."})
    static final class Verify implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DUA.yaml", description = "The agreement; its .sig/.pem files lie beside it.")
        Path file;
        @Option(names = "--ca", required = true, paramLabel = "CA.pem", description = "The project CA certificate (PEM).")
        Path ca;
        @Option(names = "--at", paramLabel = "DATE", description = "Check as of this day (YYYY-MM-DD, UTC); default: now.")
        String at;
        @Option(names = "--crl", paramLabel = "CRL.pem", description = "The project CRL; revoked signers are refused.")
        Path crl;
        @Option(names = "--site-data-manager", paramLabel = "NAME",
                description = {"A user name the site recognises as its data manager; repeatable. User certificates carry"
                        + " no site, so without this the site of the data manager is taken from the agreement (a warning)."})
        List<String> siteDataManagers = new ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.isRegularFile(file)) {
                err.println("medveil: error: " + file + " does not exist or is not a file");
                return 2;
            }
            X509Certificate caCert;
            Instant when;
            try {
                caCert = Pem.readCertificate(ca);
                when = at == null ? Instant.now() : LocalDate.parse(at).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (PkiException e) {
                err.println("medveil: error: --ca: " + e.getMessage());
                return 2;
            } catch (DateTimeParseException e) {
                err.println("medveil: error: --at: '" + at + "' is not a date; use YYYY-MM-DD");
                return 2;
            }
            DataUseAgreement dua = DataUseAgreement.read(file);
            List<DuaSignature> sigs = new ArrayList<>();
            for (Role r : List.of(Role.DATA_MANAGER, Role.RESEARCHER)) {
                DuaSignature s = DuaSignature.read(file, r);
                if (s != null) {
                    sigs.add(s);
                }
            }
            RevocationList list = crl == null ? RevocationList.none(caCert)
                    : new RevocationList(crl, caCert, java.time.Clock.systemUTC(), java.time.Duration.ZERO);
            DuaReport r = DuaVerifier.verify(dua, sigs, caCert, when, list,
                    siteDataManagers.isEmpty() ? null : siteDataManagers);
            for (String p : r.problems()) {
                out.println("NOT IN FORCE: " + p);
            }
            for (String w : r.warnings()) {
                out.println("warning: " + w);
            }
            if (r.ok()) {
                out.println("OK: agreement " + dua.id() + " between site " + dua.parties().site() + " (" + dua.parties()
                        .dataManager() + ") and " + dua.parties().researcher() + " (" + dua.parties().organisation()
                        + ") is in force on " + LocalDate.ofInstant(when, ZoneOffset.UTC) + " (period " + dua.from()
                        + " to " + dua.to() + ", purpose " + dua.purpose() + ")");
                return 0;
            }
            out.println("FAILED: agreement " + dua.id() + ": " + r.problems().size() + " problem(s)");
            return 1;
        }
    }
}
