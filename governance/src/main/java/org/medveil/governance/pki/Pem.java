package org.medveil.governance.pki;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Set;

/** PEM files: certificates, PKCS#8 private keys (written owner-only, 0600) and CRLs. */
public final class Pem {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private Pem() {
    }

    public static X509Certificate readCertificate(Path file) {
        Object o = readObject(file, "certificate");
        if (!(o instanceof X509CertificateHolder holder)) {
            throw new PkiException(file + " does not hold a PEM certificate (found " + describe(o) + ")");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new PkiException(file + " holds a certificate that cannot be decoded: " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) {
        Object o = readObject(file, "private key");
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
        } catch (IOException e) {
            throw new PkiException(file + " holds a private key that cannot be decoded: " + e.getMessage(), e);
        }
        throw new PkiException(file + " does not hold an unencrypted PEM private key (found " + describe(o) + ")");
    }

    public static X509CRL readCrl(Path file) {
        Object o = readObject(file, "CRL");
        if (!(o instanceof X509CRLHolder holder)) {
            throw new PkiException(file + " does not hold a PEM CRL (found " + describe(o) + ")");
        }
        try {
            return new JcaX509CRLConverter().getCRL(holder);
        } catch (CRLException e) {
            throw new PkiException(file + " holds a CRL that cannot be decoded: " + e.getMessage(), e);
        }
    }

    public static String encode(Object certificateOrCrl) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(certificateOrCrl);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    public static void writePublic(Path file, Object certificateOrCrl) {
        try {
            Files.writeString(file, encode(certificateOrCrl));
        } catch (IOException e) {
            throw new PkiException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a PKCS#8 key readable by its owner only; the file is created with mode 0600, never widened. */
    public static void writePrivateKey(Path file, PrivateKey key) {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        try {
            Files.deleteIfExists(file);
            try (SeekableByteChannel ch = Files.newByteChannel(file,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
                Channels.newOutputStream(ch).write(pem.getBytes(StandardCharsets.US_ASCII));
            }
            Files.setPosixFilePermissions(file, OWNER_ONLY); // umask cannot have widened it, but be explicit
        } catch (IOException e) {
            throw new PkiException("cannot write private key " + file + ": " + e.getMessage(), e);
        }
    }

    private static Object readObject(Path file, String what) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new PkiException(what + " file " + file + " is missing");
        } catch (AccessDeniedException e) {
            throw new PkiException(what + " file " + file + " is not readable by this user (check its owner and mode)");
        } catch (IOException e) {
            throw new PkiException("cannot read " + what + " file " + file + ": " + e.getMessage(), e);
        }
        try (Reader r = new StringReader(text); PEMParser parser = new PEMParser(r)) {
            Object o = parser.readObject();
            if (o == null) {
                throw new PkiException(what + " file " + file + " holds no PEM block");
            }
            return o;
        } catch (IOException | RuntimeException e) {
            if (e instanceof PkiException p) {
                throw p;
            }
            throw new PkiException(what + " file " + file + " is not valid PEM: " + e.getMessage(), e);
        }
    }

    private static String describe(Object o) {
        return o == null ? "nothing" : o.getClass().getSimpleName();
    }
}
