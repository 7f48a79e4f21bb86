package org.medveil.cli;

import picocli.CommandLine;

import java.util.concurrent.Callable;

/** A command that only groups subcommands: run without one, it prints usage to stderr and exits 2. */
public abstract class CommandGroup implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return Main.usageError(spec);
    }
}
