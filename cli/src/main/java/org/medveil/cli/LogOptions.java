package org.medveil.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The daemons' logging options ({@code coordinator serve}, {@code site serve}); a picocli mixin. */
final class LogOptions {

    enum Format { text, json }

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            description = {"text: one line per event (default).",
                    "json: one JSON object per line with timestamp (epoch ms), level, loggerName,"
                            + " formattedMessage, and kvpList for structured fields (event, reason, fingerprint,"
                            + " peer, site)."})
    Format format;

    @Option(names = "--log-file", paramLabel = "PATH",
            description = "Append the log to PATH instead of stderr (rotate with logrotate's copytruncate).")
    Path file;

    /** Switches this process's logging to these options; call before the daemon starts. */
    void apply() {
        LogSetup.configure(format, file);
    }
}
