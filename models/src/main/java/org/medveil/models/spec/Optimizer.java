package org.medveil.models.spec;

import java.util.Locale;

/** The optimizer a network is trained with; part of the network configuration in DL4J. */
public record Optimizer(Kind kind, double learningRate) {
    /** Adam (default for local training) or plain SGD (what FedProx's analysis assumes). */
    public enum Kind { ADAM, SGD }

    public Optimizer {
        if (!(learningRate > 0 && learningRate < 10)) {
            throw new ModelSpecException("learning rate " + learningRate + " is invalid; use a value in (0, 10), e.g. 0.001");
        }
    }

    public static Optimizer adam(double lr) { return new Optimizer(Kind.ADAM, lr); }

    public static Optimizer sgd(double lr) { return new Optimizer(Kind.SGD, lr); }

    /** Parses "adam" or "sgd" (any case). */
    public static Kind kindOf(String name) {
        try {
            return Kind.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelSpecException("unknown optimizer '" + name + "'; use adam or sgd");
        }
    }
}
