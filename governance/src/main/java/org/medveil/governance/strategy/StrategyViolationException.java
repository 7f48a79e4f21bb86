package org.medveil.governance.strategy;

/** A de-identification profile uses a technique that Table 2 discourages for its scenario, without an override. */
public class StrategyViolationException extends RuntimeException {
    public StrategyViolationException(String message) {
        super(message);
    }
}
