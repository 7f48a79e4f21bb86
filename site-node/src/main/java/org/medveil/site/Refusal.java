package org.medveil.site;

import io.grpc.Metadata;
import io.grpc.Status;
import org.medveil.governance.pki.HostNames;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PeerRefusedException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.proto.Trailers;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Why a connection to the coordinator failed, as one line a hospital's IT can act on. Built
 * from what the client can know: a refusal by this kit's own checks of the coordinator's
 * certificate, the TLS alert the coordinator sent (certificate_revoked, certificate_expired,
 * unknown_ca, unsupported_certificate, bad_certificate), the refusal trailers of a call, or the
 * gRPC status. Dates come from the alert's context: this kit's certificate and its CRL copy.
 */
public record Refusal(Cause cause, String line) {

    public enum Cause {
        /** The coordinator refused this kit's certificate as revoked. */
        REVOKED,
        /** The coordinator refused this kit's certificate as expired. */
        EXPIRED,
        /** The coordinator does not know the CA that issued this kit's certificate. */
        UNKNOWN_CA,
        /** This kit's certificate is of a kind the coordinator does not accept here. */
        WRONG_KIND,
        /** The coordinator refused this kit's certificate for another reason (not yet valid, malformed). */
        BAD_CERTIFICATE,
        /** This kit refused the coordinator's certificate. */
        COORDINATOR_REFUSED,
        /** The call was refused after the handshake (access policy, protocol). */
        DENIED,
        /** No connection could be made. */
        UNREACHABLE,
        OTHER
    }

    /** True when retrying with this kit cannot succeed: the kit must be replaced. */
    public boolean permanent() {
        return cause == Cause.REVOKED || cause == Cause.EXPIRED;
    }

    @Override
    public String toString() {
        return line;
    }

    public static Refusal explain(Throwable failure, Kit kit, RevocationList crl, HostNames.HostPort target) {
        String refused = "the coordinator at " + target + " refused this kit's certificate: ";
        // 1. This kit refused the coordinator's certificate (its own trust manager said why).
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PeerRefusedException p) {
                return new Refusal(Cause.COORDINATOR_REFUSED, "refusing the coordinator at " + target + ": "
                        + coordinatorProblem(p));
            }
        }
        Status status = Status.fromThrowable(failure);
        // 2. The coordinator refused a call and said why in trailers.
        Metadata trailers = Status.trailersFromThrowable(failure);
        String reason = trailers == null ? null : trailers.get(Trailers.REFUSAL);
        if (reason != null) {
            Instant at = parse(trailers.get(Trailers.REFUSAL_AT));
            return ours(reasonToCause(reason), at, kit, crl, refused, status.getDescription());
        }
        // 3. A TLS alert from the coordinator, named in the TLS library's error text.
        String text = allText(failure).toUpperCase(Locale.ROOT);
        if (text.contains("CERTIFICATE_REVOKED")) {
            return ours(Cause.REVOKED, null, kit, crl, refused, null);
        }
        if (text.contains("CERTIFICATE_EXPIRED")) {
            return ours(Cause.EXPIRED, null, kit, crl, refused, null);
        }
        if (text.contains("UNKNOWN_CA") || text.contains("CERTIFICATE_REQUIRED")) {
            return ours(Cause.UNKNOWN_CA, null, kit, crl, refused, null);
        }
        if (text.contains("UNSUPPORTED_CERTIFICATE")) {
            return ours(Cause.WRONG_KIND, null, kit, crl, refused, null);
        }
        if (text.contains("BAD_CERTIFICATE")) {
            return ours(Cause.BAD_CERTIFICATE, null, kit, crl, refused, null);
        }
        if (text.contains("PROTOCOL_VERSION")) {
            return new Refusal(Cause.OTHER, "the coordinator at " + target + " does not speak TLS 1.3");
        }
        if (text.contains("_ALERT_")) {
            return new Refusal(Cause.OTHER, "the coordinator at " + target + " ended the TLS handshake with alert "
                    + alertName(text) + "; its log says why");
        }
        // 4. Plain gRPC status.
        return switch (status.getCode()) {
            case PERMISSION_DENIED, UNAUTHENTICATED -> new Refusal(Cause.DENIED, "the coordinator at " + target
                    + " refused the call: " + nz(status.getDescription()));
            case UNAVAILABLE, DEADLINE_EXCEEDED -> new Refusal(Cause.UNREACHABLE, "no connection to the coordinator at "
                    + target + ": " + (text.contains("CONNECTION REFUSED")
                    ? "connection refused (is the coordinator running and listening on port " + target.port() + "?)"
                    : rootMessage(failure, status)));
            default -> new Refusal(Cause.OTHER, "the coordinator at " + target + " answered " + status.getCode()
                    + (status.getDescription() == null ? "" : ": " + status.getDescription()));
        };
    }

    private static Refusal ours(Cause cause, Instant at, Kit kit, RevocationList crl, String refused, String detail) {
        String kitKind = kit.identity().kind().id();
        return switch (cause) {
            case REVOKED -> {
                Instant when = at != null ? at : crl.revocation(kit.certificate()).map(RevocationList.Revocation::at)
                        .orElse(null);
                yield new Refusal(cause, refused + "revoked" + (when == null
                        ? " (this kit's CRL copy predates the revocation, so the date is in the project's CRL)"
                        : " on " + when) + "; a revoked kit stays refused: ask the project admin for a new kit");
            }
            case EXPIRED -> {
                Instant notAfter = kit.certificate().getNotAfter().toInstant();
                // A coordinator whose clock runs ahead says "expired" early: not a reason to give up.
                yield notAfter.isAfter(Instant.now())
                        ? new Refusal(Cause.BAD_CERTIFICATE, refused + "expired, but it is valid until " + notAfter
                        + " by this machine's clock: check the coordinator's clock")
                        : new Refusal(cause, refused + "expired on " + notAfter + "; ask the project admin to run"
                        + " 'medveil provision renew " + kit.identity().name() + "' and restart with the renewed kit");
            }
            case UNKNOWN_CA -> new Refusal(cause, refused + "not issued by this project's CA (is this kit from"
                    + " another project, or the coordinator's kit from another one?)");
            case WRONG_KIND -> new Refusal(cause, refused + "not a " + (kit.identity().kind() == Kind.SITE ? "site"
                    : "site or user") + " certificate (this kit holds a " + kitKind + " certificate)");
            default -> {
                Instant notBefore = kit.certificate().getNotBefore().toInstant();
                yield new Refusal(cause, refused + (notBefore.isAfter(Instant.now())
                        ? "not valid before " + notBefore + " (check this machine's and the coordinator's clocks)"
                        : "not acceptable" + (detail == null ? "" : " (" + detail + ")")));
            }
        };
    }

    private static Cause reasonToCause(String reason) {
        try {
            return switch (PeerRefusedException.Reason.valueOf(reason)) {
                case REVOKED -> Cause.REVOKED;
                case EXPIRED -> Cause.EXPIRED;
                case UNKNOWN_CA, WRONG_PROJECT -> Cause.UNKNOWN_CA;
                case WRONG_KIND -> Cause.WRONG_KIND;
                default -> Cause.BAD_CERTIFICATE;
            };
        } catch (IllegalArgumentException e) {
            return Cause.BAD_CERTIFICATE; // a newer coordinator's reason this client does not know
        }
    }

    private static String coordinatorProblem(PeerRefusedException p) {
        String when = p.at() == null ? "" : " on " + p.at();
        return switch (p.reason()) {
            case REVOKED -> "its certificate was revoked" + when + " (this kit's CRL); the project admin must run"
                    + " 'medveil provision renew coordinator' and restart the coordinator with the renewed kit";
            case EXPIRED -> "its certificate expired" + when + "; the project admin must run"
                    + " 'medveil provision renew coordinator' and restart the coordinator with the renewed kit";
            case NOT_YET_VALID -> "its certificate is not valid before " + p.at()
                    + " (check this machine's and the coordinator's clocks)";
            case UNKNOWN_CA, WRONG_PROJECT -> "its certificate is not from this project's CA (another project's"
                    + " coordinator at this address?)";
            default -> p.getMessage();
        };
    }

    private static String allText(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable x = t; x != null; x = x.getCause()) {
            b.append(' ').append(x.getMessage());
        }
        return b.toString();
    }

    private static String alertName(String upper) {
        int i = upper.indexOf("_ALERT_");
        int end = i + 7;
        while (end < upper.length() && (Character.isLetterOrDigit(upper.charAt(end)) || upper.charAt(end) == '_')) {
            end++;
        }
        return upper.substring(i + 7, end).toLowerCase(Locale.ROOT);
    }

    private static String rootMessage(Throwable failure, Status status) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root != failure && root.getMessage() != null ? root.getMessage() : status.getDescription();
        if (m == null) {
            return status.getCode().toString();
        }
        int cut = m.indexOf('\n');
        return cut < 0 ? m : m.substring(0, cut);
    }

    private static Instant parse(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
