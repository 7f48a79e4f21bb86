package org.medveil.governance.crypto;

import java.util.Locale;

/**
 * The authenticated ciphers a site may encrypt its store with: AES-256-GCM (default) or SM4-GCM
 * (the national suite, GB/T 32907 block cipher in GCM mode, RFC 8998). Both use a 96-bit nonce
 * and a 128-bit tag.
 */
public enum CipherSuite {
    AES_256_GCM("aes-256-gcm", 32, (byte) 1),
    SM4_GCM("sm4-gcm", 16, (byte) 2);

    private final String configName;
    private final int keyBytes;
    private final byte code;

    CipherSuite(String configName, int keyBytes, byte code) {
        this.configName = configName;
        this.keyBytes = keyBytes;
        this.code = code;
    }

    /** Name used in configuration files and the index ({@code aes-256-gcm}, {@code sm4-gcm}). */
    public String configName() {
        return configName;
    }

    /** Key length in bytes (32 for AES-256, 16 for SM4). */
    public int keyBytes() {
        return keyBytes;
    }

    /** One-byte code written into stored object headers. */
    public byte code() {
        return code;
    }

    /** The suite named {@code name} in configuration ({@code aes-256-gcm} or {@code sm4-gcm}). */
    public static CipherSuite fromName(String name) {
        for (CipherSuite s : values()) {
            if (s.configName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown cipher suite '" + name
                + "'; use aes-256-gcm or sm4-gcm");
    }

    /** The suite with header code {@code code}. */
    public static CipherSuite fromCode(byte code) {
        for (CipherSuite s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown cipher suite code " + (code & 0xff));
    }
}
