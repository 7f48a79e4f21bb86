package org.medveil.proto.transfer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers shared by the stores, client and service. */
final class Digests {
    private Digests() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    static TransferException mismatch(String object, byte[] declared, byte[] actual) {
        return new TransferException(TransferException.Reason.DIGEST_MISMATCH, "SHA-256 of '" + object + "' is "
                + hex(actual) + " but the sender declared " + hex(declared)
                + "; the received parts were discarded, upload the object again");
    }

    static String hex(byte[] b) {
        return b == null ? "none" : HexFormat.of().formatHex(b);
    }
}
