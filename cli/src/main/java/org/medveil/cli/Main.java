package org.medveil.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.medveil.proto.BuildInfo;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The single {@code medveil} command. Subcommands are grouped by who uses them (see README.md). */
@Command(name = "medveil",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Privacy-enhanced federated learning for medical imaging (T/SCGS 313008-2024).",
        subcommands = {
                ProvisionCommand.class,
                CoordinatorCommand.class,
                SiteCommand.class,
                SitesCommand.class,
                ConsoleCommand.class,
                HealthCommand.class,
                AuditCommand.class,
                ManifestCommand.class,
                DuaCommand.class,
                JobCommand.class,
                org.medveil.cli.demo.DemoCommand.class,
                org.medveil.cli.he.HeCommand.class,
                org.medveil.cli.dicom.DicomCommand.class,
                org.medveil.cli.models.TrainCommand.class,
                org.medveil.cli.models.SynthCommand.class,
                org.medveil.cli.deid.DeidCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Show debug logs and stack traces of errors.")
    void verbose(boolean on) {
        this.verbose = on;
        if (on) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
        }
    }

    private boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Bare {@code medveil}: usage on stderr and exit 2, like any other incomplete command line. */
    @Override
    public Integer call() {
        return usageError(spec);
    }

    /** For commands that only group subcommands: run without one, they print usage to stderr and exit 2. */
    public static int usageError(CommandLine.Model.CommandSpec spec) {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("medveil: error: '" + spec.qualifiedName() + "' needs a subcommand");
        cl.usage(cl.getErr());
        return 2;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run it in-process. */
    public static CommandLine commandLine() {
        LogSetup.bridgeJul(); // gRPC's java.util.logging output in our format, not JUL's two-line records
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            // Users get what went wrong and what to do; the stack trace only with --verbose.
            line.getErr().println("medveil: error: " + message(e));
            if (main.verbose) {
                e.printStackTrace(line.getErr());
            }
            return 1;
        });
        return cl;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            BuildInfo b = BuildInfo.current();
            return new String[] {"medveil " + b.version() + " (protocol " + b.protocol() + ", Java "
                    + System.getProperty("java.version") + ")"};
        }
    }
}
