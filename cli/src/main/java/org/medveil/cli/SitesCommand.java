package org.medveil.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.ListSitesRequest;
import org.medveil.proto.admin.ListSitesResponse;
import org.medveil.proto.admin.SiteStatus;
import org.medveil.site.CoordinatorChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

@Command(name = "sites", mixinStandardHelpOptions = true,
        description = "Inspect the project's sites.", subcommands = SitesCommand.ListSites.class)
final class SitesCommand {

    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Show each site with its connection state and last heartbeat, as the coordinator sees it.",
                    "States: connected, stale (heartbeats overdue), disconnected, revoked (its certificate is"
                            + " revoked; the line says since when)."})
    static final class ListSites extends OutputCommand {
        @Option(names = "--kit", required = true, paramLabel = "DIR", description = "Your user kit.")
        Path kit;
        @Option(names = "--coordinator", paramLabel = "HOST:PORT", description = "Dial this address instead of the kit's.")
        String coordinator;

        @Override
        public void run() {
            Kit k = Kit.load(kit);
            HostNames.HostPort target = coordinator != null ? HostNames.parse(coordinator) : k.coordinatorAddress();
            CoordinatorChannel channels = CoordinatorChannel.forKit(k, target);
            ManagedChannel channel = channels.open();
            try {
                ListSitesResponse r = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(15, TimeUnit.SECONDS)
                        .listSites(ListSitesRequest.getDefaultInstance());
                print(r);
            } catch (StatusRuntimeException e) {
                throw new CliException(channels.explain(e).line());
            } finally {
                channel.shutdownNow();
            }
        }

        private void print(ListSitesResponse r) {
            if (r.getSitesCount() == 0) {
                out().println("No site has connected yet.");
                return;
            }
            Instant now = Instant.now();
            out().printf("%-20s %-13s %-16s %-14s %s%n", "SITE", "STATE", "LAST HEARTBEAT", "VERSION", "CERTIFICATE");
            for (SiteStatus s : r.getSitesList()) {
                String last = s.hasLastHeartbeat()
                        ? ago(Duration.between(Instant.ofEpochSecond(s.getLastHeartbeat().getSeconds()), now)) : "never";
                String revoked = s.getState() == SiteStatus.ConnectionState.REVOKED && s.hasRevokedAt()
                        ? "  revoked since " + DAY_TIME.format(Instant.ofEpochSecond(s.getRevokedAt().getSeconds()))
                        : "";
                out().printf("%-20s %-13s %-16s %-14s sha256:%s%s%n", s.getName(), s.getState().name().toLowerCase(),
                        last, s.getSoftwareVersion(), s.getCertificateFingerprint().isEmpty() ? "-"
                                : s.getCertificateFingerprint().substring(0, 16), revoked);
            }
        }

        private static String ago(Duration d) {
            long s = Math.max(0, d.toSeconds());
            return s < 120 ? s + " s ago" : s < 7200 ? s / 60 + " min ago" : s / 3600 + " h ago";
        }
    }
}
