package org.medveil.governance.pki;

import org.bouncycastle.asn1.x509.CRLReason;
import org.medveil.governance.config.YamlFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A provisioning folder (REQ-TX-2, TX-3, USE-3): the project CA in {@code ca/}, the registry
 * {@code project.yaml}, and one startup kit per participant: {@code coordinator/},
 * {@code sites/NAME/}, {@code users/NAME/}. Adding, revoking and renewing touch only the kit
 * concerned. The CA key stays in {@code ca/} and is never copied into a kit.
 */
public final class Provisioner {

    public static final String CA_DIR = "ca";
    public static final String COORDINATOR_DIR = "coordinator";
    public static final String SITES_DIR = "sites";
    public static final String USERS_DIR = "users";

    private final Path dir;
    private final Clock clock;
    private final CertificateAuthority ca;
    private ProjectRecord record;

    private Provisioner(Path dir, Clock clock, CertificateAuthority ca, ProjectRecord record) {
        this.dir = dir;
        this.clock = clock;
        this.ca = ca;
        this.record = record;
    }

    /** Creates the CA, the coordinator's kit and a kit for every site and user in the spec. */
    public static Provisioner init(ProjectSpec spec, Path dir, Clock clock) {
        Identity.checkName("project", spec.project());
        HostNames.HostPort coordinator = HostNames.parse(spec.coordinator());
        if (Files.exists(dir.resolve(ProjectRecord.FILE)) || Files.exists(dir.resolve(CA_DIR))) {
            throw new PkiException(dir + " already holds a provisioned project; use add-site/add-user,"
                    + " or choose another --out folder");
        }
        CertificateAuthority ca = CertificateAuthority.create(dir.resolve(CA_DIR), spec.project(), clock.instant());
        List<String> hosts = new ArrayList<>();
        hosts.add(coordinator.host());
        spec.hostNames().stream().filter(h -> !hosts.contains(h)).forEach(hosts::add);
        ProjectRecord rec = new ProjectRecord(spec.project(), coordinator.toString(), hosts, spec.validity(), null);
        Provisioner p = new Provisioner(dir, clock, ca, rec);
        p.issueKit(Identity.coordinator(spec.project()), Duration.ofDays(spec.validity()));
        for (String site : spec.sites()) {
            p.addSite(site, null);
        }
        for (ProjectSpec.User u : spec.users()) {
            p.addUser(u.name(), Role.fromId(u.role()), null);
        }
        return p;
    }

    public static Provisioner open(Path dir, Clock clock) {
        Path file = dir.resolve(ProjectRecord.FILE);
        if (!Files.exists(file)) {
            throw new PkiException(dir + " is not a provisioning folder (no " + ProjectRecord.FILE
                    + "); pass the folder given to 'medveil provision init --out'");
        }
        ProjectRecord rec = YamlFiles.read(file, ProjectRecord.class);
        return new Provisioner(dir, clock, CertificateAuthority.load(dir.resolve(CA_DIR), rec.project()), rec);
    }

    public ProjectRecord record() {
        return record;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public Path addSite(String name) {
        return addSite(name, null);
    }

    /** @param days certificate lifetime; null for the project's {@code validityDays} */
    public Path addSite(String name, Integer days) {
        return add(Identity.site(record.project(), name), days);
    }

    public Path addUser(String name, Role role) {
        return addUser(name, role, null);
    }

    public Path addUser(String name, Role role, Integer days) {
        return add(Identity.user(record.project(), name, role), days);
    }

    /** Issues with an explicit lifetime; for short-lived certificates and for tests of expiry. */
    public Path add(Identity id, Instant notBefore, Instant notAfter) {
        checkNew(id);
        return issueKit(id, notBefore, notAfter);
    }

    private Path add(Identity id, Integer days) {
        checkNew(id);
        return issueKit(id, lifetime(days));
    }

    private Duration lifetime(Integer days) {
        if (days != null && days < 1) {
            throw new PkiException("certificate lifetime must be at least 1 day, was " + days);
        }
        return Duration.ofDays(days != null ? days : record.validityDays());
    }

    /** Revokes the participant's current certificate and refreshes the CRL copy in every kit of the folder. */
    public ProjectRecord.Participant revoke(String name) {
        ProjectRecord.Participant p = current(name).orElseThrow(() -> unknown(name));
        X509Certificate cert = Pem.readCertificate(dir.resolve(p.kit()).resolve(KitConfig.CERT));
        if (!cert.getSerialNumber().toString(16).equals(p.serial())) {
            throw new PkiException(dir.resolve(p.kit()).resolve(KitConfig.CERT) + " is not the certificate "
                    + ProjectRecord.FILE + " records for " + name + "; the folder was changed by hand");
        }
        ca.revoke(cert, CRLReason.privilegeWithdrawn, clock.instant());
        replace(p, p.withStatus(ProjectRecord.Participant.REVOKED));
        publishCrl();
        return p;
    }

    /**
     * Issues a new key and certificate with a fresh lifetime into the same kit, keeping its
     * config, and revokes the old certificate as superseded so copies of the old kit stop working.
     * A revoked site or user cannot be renewed; a revoked coordinator can, since renewing is the
     * only way back to a working project.
     */
    public Path renew(String name) {
        return renew(name, null);
    }

    public Path renew(String name, Integer days) {
        Duration validity = lifetime(days);
        ProjectRecord.Participant p = current(name).orElseThrow(() -> unknown(name));
        if (ProjectRecord.Participant.REVOKED.equals(p.status()) && !Kind.COORDINATOR.id().equals(p.kind())) {
            // Renewing would silently readmit someone an admin shut out.
            throw new PkiException(name + " was revoked and cannot be renewed; issue a kit under a new name instead");
        }
        Identity id = p.role() == null ? new Identity(record.project(), p.name(), Kind.fromId(p.kind()), null)
                : Identity.user(record.project(), p.name(), Role.fromId(p.role()));
        X509Certificate old = Pem.readCertificate(dir.resolve(p.kit()).resolve(KitConfig.CERT));
        boolean wasRevoked = ProjectRecord.Participant.REVOKED.equals(p.status());
        if (!wasRevoked) {
            replace(p, p.withStatus(ProjectRecord.Participant.SUPERSEDED));
        }
        Path kit = issueKit(id, validity);
        if (!wasRevoked) {
            ca.revoke(old, CRLReason.superseded, clock.instant());
        }
        publishCrl();
        return kit;
    }

    public Optional<ProjectRecord.Participant> current(String name) {
        return record.participants().stream()
                .filter(p -> p.name().equals(name) && !ProjectRecord.Participant.SUPERSEDED.equals(p.status()))
                .reduce((a, b) -> b);
    }

    public Path kitDir(Identity id) {
        return switch (id.kind()) {
            case COORDINATOR -> dir.resolve(COORDINATOR_DIR);
            case SITE -> dir.resolve(SITES_DIR).resolve(id.name());
            case USER -> dir.resolve(USERS_DIR).resolve(id.name());
        };
    }

    private void checkNew(Identity id) {
        if (current(id.name()).isPresent() || "ca".equals(id.name())) {
            throw new PkiException("a participant named '" + id.name() + "' already exists in project "
                    + record.project() + "; names are unique across sites and users");
        }
    }

    private Path issueKit(Identity id, Duration validity) {
        Instant now = clock.instant();
        // Small back-dating tolerates clock skew between machines.
        return issueKit(id, now.minus(Duration.ofMinutes(5)), now.plus(validity));
    }

    private Path issueKit(Identity id, Instant notBefore, Instant notAfter) {
        Path kit = kitDir(id);
        try {
            Files.createDirectories(kit);
        } catch (IOException e) {
            throw new PkiException("cannot create kit folder " + kit + ": " + e.getMessage(), e);
        }
        KeyPair kp = CertificateAuthority.newKeyPair();
        List<String> hosts = id.kind() == Kind.COORDINATOR ? record.hostNames() : List.of();
        X509Certificate cert = ca.issue(id, kp.getPublic(), notBefore, notAfter, hosts);
        Pem.writePrivateKey(kit.resolve(KitConfig.KEY), kp.getPrivate());
        Pem.writePublic(kit.resolve(KitConfig.CERT), cert);
        Pem.writePublic(kit.resolve(KitConfig.CA), ca.certificate());
        Path config = kit.resolve(KitConfig.FILE);
        if (!Files.exists(config)) {
            writeConfig(config, id);
        }
        copy(ca.crlFile(), kit.resolve(KitConfig.CRL));
        record.participants().add(new ProjectRecord.Participant(id.name(), id.kind().id(),
                id.role() == null ? null : id.role().id(), dir.relativize(kit).toString(),
                cert.getSerialNumber().toString(16), Certificates.fingerprint(cert), notAfter.toString(),
                ProjectRecord.Participant.ACTIVE));
        save();
        return kit;
    }

    private void writeConfig(Path file, Identity id) {
        String header = "# MedVeil startup kit: " + id.describe() + " of project " + id.project() + ".\n"
                + "# Keep " + KitConfig.KEY + " secret; it never needs to leave this folder.\n"
                + "# Daemon settings go under 'settings:' (see the coordinator and site-node READMEs).\n";
        try {
            Files.writeString(file, header + YamlFiles.toYaml(KitConfig.forIdentity(id, record.coordinator())));
        } catch (IOException e) {
            throw new PkiException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Copies the CRL into every kit folder of the provisioning folder (coordinator, sites, users),
     * so kits run on this machine, or copied from it again, carry the current CRL. Kits already
     * handed out need {@code ca/crl.pem} copied to them by hand.
     */
    public List<Path> publishCrl() {
        List<Path> kits = new ArrayList<>();
        Path coordinatorKit = dir.resolve(COORDINATOR_DIR);
        if (Files.isDirectory(coordinatorKit)) {
            kits.add(coordinatorKit);
        }
        for (String group : List.of(SITES_DIR, USERS_DIR)) {
            Path parent = dir.resolve(group);
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (var children = Files.list(parent)) {
                children.filter(k -> Files.isRegularFile(k.resolve(KitConfig.FILE))).sorted().forEach(kits::add);
            } catch (IOException e) {
                throw new PkiException("cannot list kits in " + parent + ": " + e.getMessage(), e);
            }
        }
        for (Path kit : kits) {
            copy(ca.crlFile(), kit.resolve(KitConfig.CRL));
        }
        return kits;
    }

    private static void copy(Path from, Path to) {
        try {
            Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
            // Atomic so a coordinator reloading the CRL never reads half a file.
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PkiException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private void replace(ProjectRecord.Participant old, ProjectRecord.Participant updated) {
        List<ProjectRecord.Participant> ps = record.participants();
        ps.set(ps.lastIndexOf(old), updated);
        save();
    }

    private void save() {
        YamlFiles.write(dir.resolve(ProjectRecord.FILE), record);
    }

    private PkiException unknown(String name) {
        return new PkiException("no participant named '" + name + "' in project " + record.project()
                + " (" + dir.resolve(ProjectRecord.FILE) + ")");
    }
}
