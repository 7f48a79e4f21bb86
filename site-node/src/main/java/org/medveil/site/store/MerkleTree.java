package org.medveil.site.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The Merkle root of a dataset: leaves are the objects' SHA-256 plaintext digests sorted
 * bytewise (so the root does not depend on insertion order); leaf hash = SHA-256(0x00 || digest),
 * inner node = SHA-256(0x01 || left || right) (domain separation, RFC 6962 style, so a leaf can
 * never pose as a node); on a level with an odd count the last node moves up unchanged (no
 * duplication, so two different sets never share a root). The empty dataset's root is SHA-256 of
 * the empty string.
 */
public final class MerkleTree {

    private static final HexFormat HEX = HexFormat.of();

    private MerkleTree() {
    }

    /** Root (hex) over hex digests. */
    public static String root(List<String> hexDigests) {
        List<byte[]> level = new ArrayList<>();
        for (String d : hexDigests.stream().sorted().toList()) {
            level.add(hash((byte) 0, HEX.parseHex(d)));
        }
        if (level.isEmpty()) {
            return HEX.formatHex(sha256().digest());
        }
        while (level.size() > 1) {
            List<byte[]> up = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i + 1 < level.size(); i += 2) {
                byte[] both = Arrays.copyOf(level.get(i), 64);
                System.arraycopy(level.get(i + 1), 0, both, 32, 32);
                up.add(hash((byte) 1, both));
            }
            if (level.size() % 2 == 1) {
                up.add(level.get(level.size() - 1));
            }
            level = up;
        }
        return HEX.formatHex(level.get(0));
    }

    private static byte[] hash(byte prefix, byte[] data) {
        MessageDigest md = sha256();
        md.update(prefix);
        return md.digest(data);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
