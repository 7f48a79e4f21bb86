package org.medveil.governance.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * Site-configurable settings of the access policy.
 *
 * @param secondPersonForDestruction when true, a destruction needs the approval of a data manager
 *                                   other than the one who asks for it (four eyes, REQ-DEL-2)
 * @param consentMaxAge              how old a consent decision may be when an access uses it; older
 *                                   ones are refused so that consent is checked at the time of each
 *                                   access (zero trust, clause 5.4.2d)
 */
public record PolicyOptions(boolean secondPersonForDestruction, Duration consentMaxAge) {

    public PolicyOptions {
        Objects.requireNonNull(consentMaxAge, "consentMaxAge");
        if (consentMaxAge.isNegative()) {
            throw new IllegalArgumentException("consentMaxAge must not be negative");
        }
    }

    /** No second person; consent decisions at most one minute old. */
    public static PolicyOptions defaults() {
        return new PolicyOptions(false, Duration.ofMinutes(1));
    }
}
