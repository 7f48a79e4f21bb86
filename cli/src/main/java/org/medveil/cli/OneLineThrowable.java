package org.medveil.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.CoreConstants;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Pattern converter {@code %oneLineEx}: an exception as " [Type: message; caused by Type: message]"
 * on the log line itself, instead of a multi-line stack trace. Libraries (netty, gRPC) sometimes
 * log exceptions whose messages hold pipeline dumps; only their first line is kept. Run with
 * {@code --verbose} for stack traces of the command's own errors.
 */
public final class OneLineThrowable extends ThrowableHandlingConverter {

    private static final int MAX_CAUSES = 4;

    @Override
    public String convert(ILoggingEvent event) {
        return describe(event.getThrowableProxy());
    }

    static String describe(IThrowableProxy t) {
        if (t == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(" [");
        int depth = 0;
        for (IThrowableProxy x = t; x != null && depth < MAX_CAUSES; x = x.getCause(), depth++) {
            if (depth > 0) {
                b.append("; caused by ");
            }
            String type = x.getClassName();
            b.append(type.substring(type.lastIndexOf('.') + 1));
            if (x.getMessage() != null) {
                String m = x.getMessage().strip();
                int cut = m.indexOf('\n');
                b.append(": ").append(cut < 0 ? m : m.substring(0, cut).strip() + " ...");
            }
        }
        return b.append(']').toString();
    }

    /** Makes {@code %oneLineEx} known to patterns built in code. */
    @SuppressWarnings("unchecked")
    static void register(LoggerContext ctx) {
        Map<String, Supplier<?>> rules = (Map<String, Supplier<?>>) ctx.getObject(
                CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        if (rules == null) {
            rules = new HashMap<>();
            ctx.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        }
        rules.putIfAbsent("oneLineEx", OneLineThrowable::new);
    }
}
