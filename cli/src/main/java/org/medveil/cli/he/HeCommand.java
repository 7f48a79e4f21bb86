package org.medveil.cli.he;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code medveil he}: tools around the homomorphic-encryption module. */
@Command(name = "he", mixinStandardHelpOptions = true,
        description = "Homomorphic encryption of model updates: benchmarks and diagnostics.",
        subcommands = {BenchCommand.class})
public final class HeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
