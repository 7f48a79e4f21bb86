package org.medveil.he.rlwe;

import java.util.HexFormat;

/** Identifies a collective public key: 128-bit hex digest over parameters, parties and key. */
public record KeyId(String hex) {

    public KeyId {
        if (hex == null || hex.length() != 32 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("key id must be 32 hex digits");
        }
        hex = hex.toLowerCase(java.util.Locale.ROOT);
    }

    public static KeyId of(byte[] sixteenBytes) {
        return new KeyId(HexFormat.of().formatHex(sixteenBytes, 0, 16));
    }

    public byte[] bytes() {
        return HexFormat.of().parseHex(hex);
    }

    @Override
    public String toString() {
        return hex;
    }
}
