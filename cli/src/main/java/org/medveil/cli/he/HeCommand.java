package org.medveil.cli.he;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code medveil he}: tools around the homomorphic-encryption module. */
@Command(name = "he", mixinStandardHelpOptions = true,
        description = "Homomorphic encryption of model updates: benchmarks and diagnostics.",
        subcommands = {BenchCommand.class})
public final class HeCommand implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return org.medveil.cli.Main.usageError(spec);
    }
}
