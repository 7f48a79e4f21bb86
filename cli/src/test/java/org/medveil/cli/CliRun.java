package org.medveil.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the {@code medveil} command line, with what it printed; shared by the CLI tests. */
public record CliRun(int exit, String out, String err) {

    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
