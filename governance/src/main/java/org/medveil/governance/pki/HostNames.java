package org.medveil.governance.pki;

import java.util.regex.Pattern;

/** Parsing of HOST:PORT addresses as written in kits and on the command line. */
public final class HostNames {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private HostNames() {
    }

    public static boolean isIpLiteral(String host) {
        return IPV4.matcher(host).matches() || host.contains(":");
    }

    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** Parses {@code host:port} or {@code [v6]:port}; the message says what is wrong. */
    public static HostPort parse(String address) {
        if (address == null || address.isBlank()) {
            throw new PkiException("address is empty; expected HOST:PORT, e.g. coordinator.example.org:8443");
        }
        String host;
        String port;
        if (address.startsWith("[")) {
            int close = address.indexOf("]:");
            if (close < 0) {
                throw new PkiException("address '" + address + "' is not [IPv6]:PORT");
            }
            host = address.substring(1, close);
            port = address.substring(close + 2);
        } else {
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || address.indexOf(':') != colon) {
                throw new PkiException("address '" + address + "' is not HOST:PORT, e.g. coordinator.example.org:8443");
            }
            host = address.substring(0, colon);
            port = address.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new PkiException("address '" + address + "' has a port that is not a number");
        }
        if (p < 0 || p > 65535) {
            throw new PkiException("address '" + address + "' has port " + p + " outside 0-65535");
        }
        return new HostPort(host, p);
    }
}
