package org.medveil.cli;

import org.medveil.governance.config.YamlFiles;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.ProjectRecord;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.pki.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

@Command(name = "provision", mixinStandardHelpOptions = true,
        description = "Create the project CA and startup kits; add, revoke and renew participants.",
        subcommands = {
                ProvisionCommand.Init.class,
                ProvisionCommand.AddSite.class,
                ProvisionCommand.AddUser.class,
                ProvisionCommand.Revoke.class,
                ProvisionCommand.Renew.class,
                ProvisionCommand.ListParticipants.class,
        })
final class ProvisionCommand implements java.util.concurrent.Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return Main.usageError(spec);
    }

    /** A command on an existing provisioning folder. */
    abstract static class FolderCommand extends OutputCommand {
        @Option(names = {"--dir", "-d"}, defaultValue = ".", paramLabel = "DIR",
                description = "Provisioning folder made by 'provision init --out' (default: current folder).")
        Path dir;

        Provisioner open() {
            return Provisioner.open(dir, Clock.systemUTC());
        }
    }

    /** A command that issues a certificate, with an optional lifetime. */
    abstract static class IssuingCommand extends FolderCommand {
        @Option(names = "--days", paramLabel = "N",
                description = "Certificate lifetime in days (default: the project's validityDays).")
        Integer days;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create a project CA (ECDSA P-256) and a startup kit for the coordinator and for every"
                    + " site and user given here or in --config.",
                    "Kits: DIR/coordinator, DIR/sites/NAME, DIR/users/NAME. The CA key stays in DIR/ca."})
    static final class Init extends OutputCommand {
        @Option(names = "--project", paramLabel = "NAME", description = "Project name (lower-case letters, digits, '-').")
        String project;
        @Option(names = "--coordinator", paramLabel = "HOST:PORT",
                description = "Address sites and users dial; HOST goes on the coordinator's certificate.")
        String coordinator;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to create the project in.")
        Path outDir;
        @Option(names = "--config", paramLabel = "FILE", description = "Project YAML (project, coordinator, hostNames,"
                + " validityDays, sites, users); options given here add to it.")
        Path config;
        @Option(names = "--site", paramLabel = "NAME", description = "A site to issue a kit for (repeatable).")
        List<String> sites = new ArrayList<>();
        @Option(names = "--user", paramLabel = "NAME:ROLE",
                description = "A user and role to issue a kit for (repeatable). Roles: project-admin, researcher,"
                        + " data-manager, compliance-officer.")
        List<String> users = new ArrayList<>();
        @Option(names = "--host-name", paramLabel = "NAME", description = "Another DNS name or IP for the"
                + " coordinator's certificate (repeatable).")
        List<String> hostNames = new ArrayList<>();
        @Option(names = "--days", paramLabel = "N", description = "Certificate lifetime in days (default 365).")
        Integer days;

        @Override
        public void run() {
            ProjectSpec base = config != null ? YamlFiles.read(config, ProjectSpec.class)
                    : new ProjectSpec(null, null, null, null, null, null);
            List<String> allSites = new ArrayList<>(base.sites());
            allSites.addAll(sites);
            List<ProjectSpec.User> allUsers = new ArrayList<>(base.users());
            for (String u : users) {
                int colon = u.indexOf(':');
                if (colon < 1) {
                    throw new PkiException("--user '" + u + "' must be NAME:ROLE, e.g. alice:project-admin");
                }
                allUsers.add(new ProjectSpec.User(u.substring(0, colon), u.substring(colon + 1)));
            }
            List<String> hosts = new ArrayList<>(base.hostNames());
            hosts.addAll(hostNames);
            ProjectSpec spec = new ProjectSpec(project != null ? project : base.project(),
                    coordinator != null ? coordinator : base.coordinator(), hosts,
                    days != null ? days : base.validityDays(), allSites, allUsers);
            if (spec.project() == null) {
                throw new PkiException("no project name: pass --project NAME or set 'project' in --config");
            }
            if (spec.coordinator() == null) {
                throw new PkiException("no coordinator address: pass --coordinator HOST:PORT or set 'coordinator' in --config");
            }
            Provisioner p = initAtomically(spec);
            String medveil = Invocation.command();
            out().println("Created project " + spec.project() + " in " + outDir);
            printKits(p, out());
            out().println("Keep " + outDir.resolve("ca") + " offline: it holds the CA key. Hand each kit folder to its owner.");
            out().println();
            out().println("Next:");
            out().println("  " + medveil + " coordinator serve --kit " + outDir.resolve(Provisioner.COORDINATOR_DIR));
            for (String site : spec.sites()) {
                out().println("  " + medveil + " site serve --kit " + outDir.resolve(Provisioner.SITES_DIR).resolve(site));
            }
            spec.users().stream().filter(u -> "project-admin".equals(u.role())).findFirst().ifPresent(u ->
                    out().println("  " + medveil + " sites list --kit "
                            + outDir.resolve(Provisioner.USERS_DIR).resolve(u.name())));
        }

        /**
         * Provisions into a fresh folder beside --out and renames it to --out only when every kit
         * was issued: a bad argument (an invalid site name, an unknown role) leaves nothing
         * behind, so the corrected command runs as if the first had never happened.
         */
        private Provisioner initAtomically(ProjectSpec spec) {
            Path target = outDir.toAbsolutePath().normalize();
            if (Files.exists(target)) {
                if (Files.exists(target.resolve(ProjectRecord.FILE)) || Files.exists(target.resolve("ca"))) {
                    throw new PkiException(outDir + " already holds a provisioned project; use add-site/add-user,"
                            + " or choose another --out folder");
                }
                if (!isEmptyFolder(target)) {
                    throw new PkiException("--out " + outDir + " exists and is not an empty folder; choose a new folder");
                }
            }
            Path created = target.getParent(); // the outermost parent folder this run creates, if any
            while (created.getParent() != null && !Files.exists(created.getParent())) {
                created = created.getParent();
            }
            Path createdParents = Files.exists(created) ? null : created;
            Path staging;
            try {
                Files.createDirectories(target.getParent());
                staging = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".partial-");
            } catch (IOException e) {
                throw new PkiException("cannot create " + outDir + ": " + e.getMessage(), e);
            }
            try {
                Provisioner.init(spec, staging, Clock.systemUTC());
                Files.deleteIfExists(target); // an empty folder given as --out
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                deleteTree(createdParents != null ? createdParents : staging);
                throw new PkiException("cannot create " + outDir + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                deleteTree(createdParents != null ? createdParents : staging);
                throw e;
            }
            return Provisioner.open(target, Clock.systemUTC());
        }

        private static boolean isEmptyFolder(Path dir) {
            if (!Files.isDirectory(dir)) {
                return false;
            }
            try (Stream<Path> s = Files.list(dir)) {
                return s.findAny().isEmpty();
            } catch (IOException e) {
                return false;
            }
        }

        private static void deleteTree(Path dir) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // best effort: the folder's name starts with a dot and says it is partial
            }
        }
    }

    @Command(name = "add-site", mixinStandardHelpOptions = true, description = "Issue a kit for a new site.")
    static final class AddSite extends IssuingCommand {
        @Parameters(paramLabel = "NAME", description = "Site name.")
        String name;

        @Override
        public void run() {
            out().println("Issued site kit " + open().addSite(name, days));
        }
    }

    @Command(name = "add-user", mixinStandardHelpOptions = true, description = "Issue a kit for a new user with a role.")
    static final class AddUser extends IssuingCommand {
        @Parameters(paramLabel = "NAME", description = "User name.")
        String name;
        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "project-admin, researcher, data-manager or compliance-officer.")
        String role;

        @Override
        public void run() {
            out().println("Issued user kit " + open().addUser(name, Role.fromId(role), days));
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke a participant's certificate (a site, a user, or the coordinator).",
                    "Updates DIR/ca/crl.pem and the crl.pem copy in every kit under DIR. A running coordinator"
                            + " reloads its CRL within seconds, closes the revoked participant's sessions and refuses"
                            + " it from then on; a revoked site node stops. Sites and users check the coordinator"
                            + " against their kit's CRL: after 'revoke coordinator' they refuse it from their next"
                            + " connection, until 'provision renew coordinator'. Kits already handed out elsewhere"
                            + " need DIR/ca/crl.pem copied into them."})
    static final class Revoke extends FolderCommand {
        @Parameters(paramLabel = "NAME", description = "Site or user name, or 'coordinator'.")
        String name;

        @Override
        public void run() {
            Provisioner p = open();
            ProjectRecord.Participant revoked = p.revoke(name);
            out().println("Revoked " + revoked.kind() + " " + revoked.name() + " (serial " + revoked.serial()
                    + "); CRL written to " + dir.resolve("ca/crl.pem") + " and to every kit under " + dir + ".");
            if (Kind.COORDINATOR.id().equals(revoked.kind())) {
                out().println("Sites and users refuse this coordinator certificate from their next connection"
                        + " (open sessions continue until they reconnect).");
                out().println("Way out: 'medveil provision renew coordinator --dir " + dir + "', then restart the"
                        + " coordinator with the renewed kit; copy " + dir.resolve("ca/crl.pem")
                        + " into kits handed out elsewhere.");
            } else {
                out().println("A running coordinator refuses it within seconds (it re-reads "
                        + dir.resolve("coordinator/crl.pem") + "; copy the CRL there if the coordinator runs"
                        + " elsewhere).");
            }
        }
    }

    @Command(name = "renew", mixinStandardHelpOptions = true,
            description = {"Issue a new key and certificate for a participant with a fresh lifetime; the old"
                    + " certificate is revoked as superseded. Hand the kit to its owner again.",
                    "A revoked site or user cannot be renewed; a revoked coordinator can (restart it with the"
                            + " renewed kit)."})
    static final class Renew extends IssuingCommand {
        @Parameters(paramLabel = "NAME", description = "Site, user or 'coordinator'.")
        String name;

        @Override
        public void run() {
            Path kit = open().renew(name, days);
            out().println("Renewed kit " + kit + "; the CRL copy in every kit under " + dir + " is updated.");
            if (Provisioner.COORDINATOR_DIR.equals(name)) {
                out().println("Restart the coordinator with this kit; sites and users accept it from their next"
                        + " connection.");
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List issued certificates and their state.")
    static final class ListParticipants extends FolderCommand {

        @Override
        public void run() {
            printKits(open(), out());
        }
    }

    static void printKits(Provisioner p, PrintWriter out) {
        out.printf("%-20s %-12s %-19s %-11s %-20s %s%n", "NAME", "KIND", "ROLE", "STATUS", "EXPIRES", "KIT");
        for (ProjectRecord.Participant x : p.record().participants()) {
            out.printf("%-20s %-12s %-19s %-11s %-20s %s%n", x.name(), x.kind(), x.role() == null ? "-" : x.role(),
                    x.status(), x.notAfter().substring(0, Math.min(19, x.notAfter().length())), x.kit());
        }
    }
}
