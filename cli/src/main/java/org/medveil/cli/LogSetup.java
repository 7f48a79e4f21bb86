package org.medveil.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Logging of the daemons, configured in code from {@code --log-format} and {@code --log-file}
 * (the defaults live in {@code logback.xml}). Everything is logback: its {@link JsonEncoder}
 * writes one JSON object per line, its pattern layout the text lines. Exceptions never become
 * multi-line stack traces in a daemon's log: {@link OneLineThrowable} folds them into the line
 * (text) or the message (JSON). gRPC logs through java.util.logging; {@link #bridgeJul()} routes
 * it here so its output obeys the same format and levels.
 */
final class LogSetup {

    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %-5level %logger{0} - %msg%oneLineEx%n";

    private LogSetup() {
    }

    /** Sends java.util.logging (gRPC's own logger) through SLF4J to logback; idempotent. */
    static synchronized void bridgeJul() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    static void configure(LogOptions.Format format, Path file) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (file != null) {
            checkWritable(file);
        }
        Encoder<ILoggingEvent> encoder = format == LogOptions.Format.json ? json(ctx) : text(ctx);
        OutputStreamAppender<ILoggingEvent> appender;
        if (file == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            appender = console;
        } else {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(file.toString());
            f.setAppend(true);
            appender = f;
        }
        appender.setContext(ctx);
        appender.setName(file == null ? "STDERR" : "FILE");
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            throw new CliException("cannot write the log " + (file == null ? "to stderr" : "file " + file));
        }
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        // Replace only the output appenders (logback.xml's STDERR, or ours from an earlier call).
        for (String name : new String[] {"STDERR", "FILE"}) {
            var old = root.getAppender(name);
            if (old != null) {
                root.detachAppender(old);
                old.stop();
            }
        }
        root.addAppender(appender);
    }

    private static void checkWritable(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (OutputStream o = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                o.flush();
            }
        } catch (IOException | SecurityException e) {
            throw new CliException("cannot write the log file " + file + ": " + e.getMessage()
                    + "; choose a writable --log-file");
        }
    }

    private static Encoder<ILoggingEvent> text(LoggerContext ctx) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(ctx);
        e.setPattern(TEXT_PATTERN);
        // logback.xml declares %oneLineEx too; register it in code in case that file was replaced.
        OneLineThrowable.register(ctx);
        e.start();
        return e;
    }

    /**
     * logback's JSON encoder with only fields that carry no patient data and no raw call
     * arguments: no {@code arguments} (the raw objects behind a message), no template, no
     * thread or context; exceptions are folded into {@code formattedMessage} as one line.
     */
    private static Encoder<ILoggingEvent> json(LoggerContext ctx) {
        JsonEncoder json = new JsonEncoder();
        json.setContext(ctx);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithThreadName(false);
        json.setWithContext(false);
        json.setWithArguments(false);
        json.setWithMessage(false);
        json.setWithThrowable(false);
        json.setWithFormattedMessage(true);
        json.setWithKVPList(true);
        json.setWithMDC(false); // the daemons put nothing in the MDC
        json.setWithMarkers(true);
        json.start();
        EncoderBase<ILoggingEvent> folded = new EncoderBase<>() {
            @Override
            public byte[] headerBytes() {
                return json.headerBytes();
            }

            @Override
            public byte[] encode(ILoggingEvent event) {
                return json.encode(event.getThrowableProxy() == null ? event : withThrowableInMessage(event));
            }

            @Override
            public byte[] footerBytes() {
                return json.footerBytes();
            }
        };
        folded.setContext(ctx);
        folded.start();
        return folded;
    }

    /** A view of {@code event} whose formatted message ends with the one-line exception and which has no throwable. */
    private static ILoggingEvent withThrowableInMessage(ILoggingEvent event) {
        String message = event.getFormattedMessage() + OneLineThrowable.describe(event.getThrowableProxy());
        return (ILoggingEvent) Proxy.newProxyInstance(ILoggingEvent.class.getClassLoader(),
                new Class<?>[] {ILoggingEvent.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getFormattedMessage" -> message;
                    case "getThrowableProxy" -> (IThrowableProxy) null;
                    default -> method.invoke(event, args);
                });
    }
}
