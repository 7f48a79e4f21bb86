package org.medveil.proto.transfer;

import io.grpc.Metadata;
import io.grpc.Status;

import java.io.IOException;

/**
 * A transfer that cannot go on, with a {@link Reason} a program can act on and a message a
 * person can act on. Stores throw it to refuse a caller; {@link TransferService} turns it into
 * a gRPC status plus the {@link #REASON} trailer, and {@link TransferClient} turns that back
 * into the same exception on the other side.
 */
public class TransferException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Trailer carrying the {@link Reason} name, so the client need not guess from the status code. */
    public static final Metadata.Key<String> REASON = Metadata.Key.of("medveil-transfer-reason", Metadata.ASCII_STRING_MARSHALLER);

    /** Why a transfer stopped. */
    public enum Reason {
        /** The caller may not read or write this object. */
        PERMISSION_DENIED(Status.Code.PERMISSION_DENIED),
        /** No such object, or it is not complete yet. */
        NOT_FOUND(Status.Code.NOT_FOUND),
        /** The SHA-256 of the received bytes is not the one declared. */
        DIGEST_MISMATCH(Status.Code.DATA_LOSS),
        /** A part is larger than the configured part size. */
        TOO_LARGE(Status.Code.RESOURCE_EXHAUSTED),
        /** A message out of order, a bad object name, a part count that does not add up. */
        PROTOCOL(Status.Code.INVALID_ARGUMENT),
        /** Another upload of the same object took over. */
        SUPERSEDED(Status.Code.ABORTED),
        /** The object is complete with other content than the uploader has. */
        CONFLICT(Status.Code.ALREADY_EXISTS),
        /** The server could not be reached, retries included. */
        UNAVAILABLE(Status.Code.UNAVAILABLE),
        /** The transfer did not finish within its time limit. */
        DEADLINE(Status.Code.DEADLINE_EXCEEDED),
        /** Reading or writing the data failed (disk, producer, consumer). */
        IO(Status.Code.INTERNAL);

        private final Status.Code code;

        Reason(Status.Code code) {
            this.code = code;
        }

        /** The gRPC status code this reason travels as. */
        public Status.Code code() {
            return code;
        }
    }

    private final Reason reason;

    public TransferException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public TransferException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** This exception as a gRPC status with the reason trailer, for a server to send. */
    public io.grpc.StatusRuntimeException toStatus() {
        Metadata trailers = new Metadata();
        trailers.put(REASON, reason.name());
        return reason.code().toStatus().withDescription(getMessage()).asRuntimeException(trailers);
    }
}
