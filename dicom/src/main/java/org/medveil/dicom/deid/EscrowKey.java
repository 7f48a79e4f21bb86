package org.medveil.dicom.deid;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The re-identifier's AES-256 key for escrow (PS3.15 E.1.2 "reversible de-identification"). The
 * original values are written as a Modified Attributes Sequence (0400,0550) item, encoded explicit
 * VR little endian, sealed with AES-GCM, and stored as Encrypted Content (0400,0520) of an Encrypted
 * Attributes Sequence (0400,0500) item. The envelope is ours, not CMS: magic "MVESC1", key id
 * length, key id and a zero byte (authenticated), 12-byte nonce, ciphertext with 16-byte tag.
 */
public final class EscrowKey {
    public static final int ENCRYPTED_ATTRIBUTES_SEQUENCE = 0x04000500;
    public static final int ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID = 0x04000510;
    public static final int ENCRYPTED_CONTENT = 0x04000520;
    public static final int MODIFIED_ATTRIBUTES_SEQUENCE = 0x04000550;
    private static final byte[] MAGIC = "MVESC1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final String id;
    // one generator per key: seeding a new SecureRandom per object costs more than the encryption
    private final SecureRandom random = new SecureRandom();
    /** The envelope header (authenticated data); never written to. */
    private final byte[] header;
    // Cipher.getInstance looks the provider up each time; a thread keeps its instance and inits it
    // with a fresh nonce for every object
    private final ThreadLocal<Cipher> cipher = ThreadLocal.withInitial(EscrowKey::newCipher);

    public EscrowKey(byte[] key) {
        if (key == null || key.length != 32) {
            throw new IllegalArgumentException("an escrow key is 32 bytes (AES-256), got " + (key == null ? 0 : key.length));
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        try {
            this.id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JRE", e);
        }
        this.header = header(id);
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JRE", e);
        }
    }

    public static EscrowKey generate() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new EscrowKey(k);
    }

    /** Hex fingerprint naming the key (first 8 bytes of its SHA-256). */
    public String id() { return id; }

    /** Seals {@code originals} (top-level elements) into a new Encrypted Attributes Sequence item of {@code target}. */
    void seal(DataSet originals, DataSet target) throws IOException {
        DataSet payload = new DataSet();
        DataSet item = payload.newSequence(MODIFIED_ATTRIBUTES_SEQUENCE, false).addItem();
        DataSets.copyAll(originals, item);
        Plain plain = new Plain();
        new DicomWriter().writeDataSet(payload, plain, TransferSyntax.EXPLICIT_LE);
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        // header ‖ nonce ‖ ciphertext+tag, encrypted straight into its place
        byte[] content = new byte[header.length + nonce.length + plain.size() + 16];
        System.arraycopy(header, 0, content, 0, header.length);
        System.arraycopy(nonce, 0, content, header.length, nonce.length);
        Cipher c = cipher.get();
        try {
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(header);
            int n = c.doFinal(plain.buffer(), 0, plain.size(), content, header.length + nonce.length);
            if (n != plain.size() + 16) {
                throw new IllegalStateException("AES/GCM wrote " + n + " bytes, expected " + (plain.size() + 16));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JRE", e);
        }
        SequenceElement seq = target.getSequence(ENCRYPTED_ATTRIBUTES_SEQUENCE);
        if (seq == null) {
            seq = target.newSequence(ENCRYPTED_ATTRIBUTES_SEQUENCE, false);
        }
        DataSet enc = seq.addItem();
        enc.putString(ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID, VR.UI, TransferSyntax.EXPLICIT_LE.uid());
        enc.putBytes(ENCRYPTED_CONTENT, VR.OB, content);
    }

    /**
     * The original attributes escrowed in {@code deidentified} for this key.
     *
     * @throws DicomException when no item was sealed for this key or the content was altered
     */
    public DataSet recover(DataSet deidentified) throws DicomException {
        SequenceElement seq = deidentified.getSequence(ENCRYPTED_ATTRIBUTES_SEQUENCE);
        if (seq == null) {
            throw new DicomException("the object has no Encrypted Attributes Sequence (0400,0500): nothing was escrowed");
        }
        for (DataSet item : seq.items()) {
            byte[] content = item.getBytes(ENCRYPTED_CONTENT);
            if (content == null || content.length < header.length + 12 + 16
                    || !Arrays.equals(Arrays.copyOf(content, header.length), header)) {
                continue;
            }
            try {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, content, header.length, 12));
                c.updateAAD(header);
                int off = header.length + 12;
                byte[] plain = c.doFinal(content, off, content.length - off);
                DataSet payload = new DicomReader().readDataSet(new java.io.ByteArrayInputStream(plain), plain.length,
                        TransferSyntax.EXPLICIT_LE);
                SequenceElement mod = payload.getSequence(MODIFIED_ATTRIBUTES_SEQUENCE);
                if (mod == null || mod.size() != 1) {
                    throw new DicomException("escrowed content has no Modified Attributes Sequence (0400,0550) item");
                }
                return mod.item(0);
            } catch (AEADBadTagException e) {
                throw new DicomException("escrowed content for key " + id + " fails authentication: it was altered "
                        + "or sealed under another key with the same id", e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/GCM is not available in this JRE", e);
            } catch (IOException e) {
                throw new DicomException("escrowed content for key " + id + " decrypts but does not parse: " + e.getMessage(), e);
            }
        }
        throw new DicomException("no Encrypted Attributes Sequence item was sealed for escrow key " + id
                + "; ask the holder of the key that sealed it");
    }

    /** The encoded originals, readable without a copy. */
    private static final class Plain extends ByteArrayOutputStream {
        Plain() { super(1024); }

        byte[] buffer() { return buf; }
    }

    private static byte[] header(String id) {
        byte[] kid = id.getBytes(StandardCharsets.US_ASCII);
        // one reserved zero byte keeps the whole content even-length, so OB padding never changes it
        return ByteBuffer.allocate(MAGIC.length + 2 + kid.length).put(MAGIC).put((byte) kid.length).put(kid)
                .put((byte) 0).array();
    }

    static boolean isTag(int tag) { return Tag.group(tag) == 0x0400; }
}
