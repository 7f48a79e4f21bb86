package org.medveil.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/** Base of commands that print: output goes to the command line's writer, so tests can capture it. */
abstract class OutputCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
