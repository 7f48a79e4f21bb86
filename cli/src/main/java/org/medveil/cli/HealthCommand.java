package org.medveil.cli;

import org.medveil.coordinator.HealthProbe;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code medveil health}: exit 0 when the coordinator of a kit is serving, 1 when not; for healthchecks. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"Check that the coordinator is serving: connect to its port and check that it presents"
                + " the certificate of the coordinator kit given. Exit 0 when healthy, 1 when not.",
                "For container healthchecks and supervisors; it does not log at the coordinator."})
final class HealthCommand implements Callable<Integer> {

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "The coordinator's kit.")
    Path kit;
    @Option(names = "--coordinator", paramLabel = "HOST:PORT",
            description = "Probe this address (default: loopback and the port the kit's coordinator listens on).")
    String coordinator;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (timeoutSeconds < 1) {
            throw new CliException("--timeout must be at least 1 second, was " + timeoutSeconds);
        }
        Kit k = Kit.load(kit);
        HostNames.HostPort target = coordinator != null ? HostNames.parse(coordinator) : HealthProbe.defaultTarget(k);
        HealthProbe.Result r = HealthProbe.check(k, target, Duration.ofSeconds(timeoutSeconds));
        (r.healthy() ? spec.commandLine().getOut() : spec.commandLine().getErr()).println(r.line());
        return r.healthy() ? 0 : 1;
    }
}
