package org.medveil.coordinator.strategy;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds server strategies from a job spec's {@code strategy} name and parameters, and restores
 * them from saved state. Names (any case): {@code fedavg} (serverLearningRate = 1),
 * {@code fedprox} (mu = 0.01, serverLearningRate = 1), {@code fedadam} (eta = 0.01, beta1 = 0.9,
 * beta2 = 0.99, tau = 0.001: the values Reddi et al. 2021 report working across tasks). An unknown
 * name or parameter is an error naming the accepted ones.
 */
public final class ServerStrategies {

    private static final Map<String, Map<String, Double>> DEFAULTS = Map.of(
            FedAvg.NAME, Map.of("serverLearningRate", 1.0),
            FedProx.NAME, Map.of("mu", 0.01, "serverLearningRate", 1.0),
            FedAdam.NAME, Map.of("eta", 0.01, "beta1", 0.9, "beta2", 0.99, "tau", 0.001));

    private ServerStrategies() {
    }

    /** The accepted strategy names. */
    public static Set<String> names() {
        return new TreeSet<>(DEFAULTS.keySet());
    }

    /** A fresh strategy; {@code params} may be empty or null for all defaults. */
    public static ServerStrategy of(String name, Map<String, Double> params) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
        Map<String, Double> defaults = DEFAULTS.get(key);
        if (defaults == null) {
            throw new IllegalArgumentException("unknown strategy '" + name + "': use one of " + names());
        }
        Map<String, Double> p = new HashMap<>(defaults);
        if (params != null) {
            for (Map.Entry<String, Double> e : params.entrySet()) {
                if (!defaults.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("strategy " + key + " has no parameter '" + e.getKey()
                            + "': it takes " + new TreeSet<>(defaults.keySet()));
                }
                if (e.getValue() == null) {
                    throw new IllegalArgumentException("strategy " + key + " parameter '" + e.getKey() + "' has no value");
                }
                p.put(e.getKey(), e.getValue());
            }
        }
        return switch (key) {
            case FedAvg.NAME -> new FedAvg(p.get("serverLearningRate"));
            case FedProx.NAME -> new FedProx(p.get("mu"), p.get("serverLearningRate"));
            default -> new FedAdam(p.get("eta"), p.get("beta1"), p.get("beta2"), p.get("tau"));
        };
    }

    /** Restores a strategy saved with {@link ServerStrategy#writeState}. */
    public static ServerStrategy restore(InputStream saved) throws IOException {
        DataInputStream in = StateCodec.data(saved);
        StateCodec.Header h = StateCodec.readHeader(in);
        ServerStrategy s;
        try {
            s = of(h.name(), h.params());
        } catch (IllegalArgumentException e) {
            throw new IOException("saved server strategy state is not usable: " + e.getMessage(), e);
        }
        if (s instanceof FedAdam a) {
            float[] m = StateCodec.readVector(in);
            float[] v = StateCodec.readVector(in);
            if (m.length != v.length) {
                throw new IOException("saved FedAdam state is damaged: m has " + m.length + " values, v " + v.length);
            }
            Map<String, Double> p = a.params();
            s = m.length == 0 ? a : new FedAdam(p.get("eta"), p.get("beta1"), p.get("beta2"), p.get("tau"), m, v);
        }
        if (in.read() != -1) {
            throw new IOException("saved server strategy state has trailing bytes; it is damaged");
        }
        return s;
    }

    /** {@link #restore(InputStream)} from bytes. */
    public static ServerStrategy restore(byte[] saved) {
        try {
            return restore(new ByteArrayInputStream(saved));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
