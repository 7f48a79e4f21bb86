package org.medveil.site.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Arrays;
import java.util.Collections;
import javax.crypto.spec.SecretKeySpec;
import org.medveil.governance.crypto.CipherSuite;
import org.medveil.governance.crypto.ObjectCipher;

/**
 * The site master key in a PKCS#12 file (mode 0600) outside the data folder. The entry alias
 * names the suite: {@code master-aes-256-gcm} (256-bit key) or {@code master-sm4-gcm} (128-bit
 * key; stored with the PKCS#12 algorithm label AES because the JDK's PKCS#12 has no SM4 OID —
 * the bytes are used as an SM4 key). The folder holding the keystore is the <em>key folder</em>;
 * the data-key database ({@code keys.db}) lives beside it.
 */
public final class SiteKeystore {

    private static final String PREFIX = "master-";
    /** HMAC key for the site's pseudonyms (patients, SOP Instance UIDs, accession numbers). */
    private static final String PSEUDONYM_ALIAS = "pseudonym-hmac-sha256";
    private static final int PSEUDONYM_KEY_BYTES = 32;

    private final Path path;
    private final CipherSuite suite;
    private final byte[] masterKey;
    private final byte[] pseudonymKey;

    private SiteKeystore(Path path, CipherSuite suite, byte[] masterKey, byte[] pseudonymKey) {
        this.path = path;
        this.suite = suite;
        this.masterKey = masterKey;
        this.pseudonymKey = pseudonymKey;
    }

    /** Creates a new keystore with a fresh master key; refuses to overwrite an existing file. */
    public static SiteKeystore create(Path path, char[] password, CipherSuite suite) {
        if (password == null || password.length == 0) {
            throw new StoreException("keystore password is empty; give a password source with a password in it");
        }
        try {
            if (Files.exists(path)) {
                throw new StoreException("keystore " + path + " already exists; refusing to overwrite it"
                        + " (its master key protects every stored object). Open it instead, or move it away first");
            }
            KeyFiles.createPrivateDirectories(path.toAbsolutePath().getParent());
            byte[] key = new ObjectCipher(suite).newKey();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setEntry(PREFIX + suite.configName(), new KeyStore.SecretKeyEntry(new SecretKeySpec(key, "AES")),
                    new KeyStore.PasswordProtection(password));
            byte[] hmacKey = new byte[PSEUDONYM_KEY_BYTES];
            new java.security.SecureRandom().nextBytes(hmacKey);
            ks.setEntry(PSEUDONYM_ALIAS, new KeyStore.SecretKeyEntry(new SecretKeySpec(hmacKey, "HmacSHA256")),
                    new KeyStore.PasswordProtection(password));
            try {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(path);
            }
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                ks.store(out, password);
            }
            KeyFiles.fsyncDirectory(path.toAbsolutePath().getParent());
            return new SiteKeystore(path, suite, key, hmacKey);
        } catch (FileAlreadyExistsException e) {
            throw new StoreException("keystore " + path + " already exists; refusing to overwrite it", e);
        } catch (IOException | GeneralSecurityException e) {
            throw new StoreException("cannot create keystore " + path + ": " + e.getMessage(), e);
        }
    }

    /** Creates a keystore with the password read from {@code secret}. */
    public static SiteKeystore create(Path path, Secret secret, CipherSuite suite) {
        char[] pw = secret.read();
        try {
            return create(path, pw, suite);
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    /** Opens an existing keystore with the password read from {@code secret}. */
    public static SiteKeystore open(Path path, Secret secret) {
        char[] pw = secret.read();
        try {
            return open(path, pw, " (password source " + secret + ")");
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    /** Opens an existing keystore. */
    public static SiteKeystore open(Path path, char[] password) {
        return open(path, password, "");
    }

    private static SiteKeystore open(Path path, char[] password, String sourceNote) {
        try {
            KeyFiles.requireOwnerOnly(path, "keystore");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(path)) {
                ks.load(in, password);
            }
            Key hmac = ks.getKey(PSEUDONYM_ALIAS, password);
            if (hmac == null || hmac.getEncoded().length != PSEUDONYM_KEY_BYTES) {
                throw new StoreException("keystore " + path + " holds no pseudonym key (alias " + PSEUDONYM_ALIAS
                        + "); it was not made by 'medveil site init'");
            }
            for (String alias : Collections.list(ks.aliases())) {
                if (alias.startsWith(PREFIX)) {
                    CipherSuite suite = CipherSuite.fromName(alias.substring(PREFIX.length()));
                    Key k = ks.getKey(alias, password);
                    byte[] bytes = k.getEncoded();
                    if (bytes.length != suite.keyBytes()) {
                        throw new StoreException("keystore " + path + ": master key for " + suite.configName()
                                + " is " + bytes.length + " bytes, expected " + suite.keyBytes());
                    }
                    return new SiteKeystore(path, suite, bytes, hmac.getEncoded());
                }
            }
            throw new StoreException("keystore " + path + " holds no site master key (alias master-…);"
                    + " it is not a MedVeil site keystore");
        } catch (NoSuchFileException e) {
            throw new StoreException("keystore " + path + " does not exist; create it with 'medveil site init'"
                    + " or fix the keystore path in site.yaml", e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new StoreException("wrong password for keystore " + path + sourceNote
                        + "; give the password it was created with", e);
            }
            throw new StoreException("cannot read keystore " + path + ": " + e.getMessage()
                    + "; it may be damaged — restore it from the key folder backup", e);
        } catch (UnrecoverableKeyException e) {
            throw new StoreException("wrong password for keystore " + path + sourceNote, e);
        } catch (GeneralSecurityException e) {
            throw new StoreException("cannot read keystore " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Wraps {@code key} (e.g. a backup key) under the master key, bound to {@code context}; only
     * this keystore opens it again with the same context.
     */
    public byte[] wrapKey(byte[] key, String context) {
        return new ObjectCipher(suite).wrapKey(masterKey, key, context);
    }

    /** Opens a key wrapped by {@link #wrapKey}; refuses (naming the keystore) when it does not open. */
    public byte[] unwrapKey(byte[] wrapped, String context) {
        try {
            return new ObjectCipher(suite).unwrapKey(masterKey, wrapped, context);
        } catch (org.medveil.governance.crypto.TamperedException | IllegalArgumentException e) {
            throw new StoreException("a key wrapped for " + context + " does not open with the master key of "
                    + path + "; it was made by another site's keystore or was altered", e);
        }
    }

    public Path path() {
        return path;
    }

    /** The folder holding the keystore and the data-key database. */
    public Path keyFolder() {
        return path.toAbsolutePath().getParent();
    }

    public CipherSuite suite() {
        return suite;
    }

    byte[] masterKey() {
        return masterKey;
    }

    /**
     * The site's secret HMAC key for pseudonyms (a copy): patient IDs, SOP Instance UIDs and
     * accession numbers are only ever indexed as keyed hashes under it, so the index and the audit
     * trail name objects and patients without PHI, and only this site can link a value to its hash.
     */
    public byte[] pseudonymKey() {
        return pseudonymKey.clone();
    }
}
