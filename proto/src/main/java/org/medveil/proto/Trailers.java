package org.medveil.proto;

import io.grpc.Metadata;

/**
 * Trailers the coordinator adds when it refuses a call, part of the wire contract like the
 * messages: clients read them to say in one line why they were refused.
 */
public final class Trailers {
    private Trailers() {
    }

    /** Why a certificate was refused: a {@code PeerRefusedException.Reason} name, e.g. REVOKED, EXPIRED. */
    public static final Metadata.Key<String> REFUSAL = Metadata.Key.of("medveil-refusal", Metadata.ASCII_STRING_MARSHALLER);

    /** The date that goes with the refusal, ISO-8601: the revocation date or the expiry. */
    public static final Metadata.Key<String> REFUSAL_AT =
            Metadata.Key.of("medveil-refusal-at", Metadata.ASCII_STRING_MARSHALLER);
}
