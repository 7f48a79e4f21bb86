package org.medveil.dicom.net;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.Tag;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Writes each received object as a Part 10 file into one folder: meta header plus the data set
 * bytes exactly as received. The file name is a digest of the SOP Instance UID (never PHI in
 * paths); the file is synced and atomically renamed before success is answered.
 */
public final class DirectoryStore implements StoreHandler {
    private final Path dir;

    public DirectoryStore(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** Name used for an instance: hex SHA-256 prefix of its SOP Instance UID plus ".dcm". */
    public static String fileName(String sopInstanceUid) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sopInstanceUid.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d, 0, 16) + ".dcm";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    @Override
    public void store(ReceivedObject o) throws IOException {
        Path target = dir.resolve(fileName(o.sopInstanceUid()));
        Path tmp = Files.createTempFile(dir, ".incoming-", ".part");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                writePart10(o, out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // make the rename durable too
            } catch (IOException ignored) {
                // some file systems cannot sync a directory; the file itself is synced
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void writePart10(ReceivedObject o, OutputStream out) throws IOException {
        DataSet meta = new DataSet();
        meta.putBytes(Tag.FileMetaInformationVersion, VR.OB, new byte[] {0, 1});
        meta.putString(Tag.MediaStorageSOPClassUID, VR.UI, o.sopClassUid());
        meta.putString(Tag.MediaStorageSOPInstanceUID, VR.UI, o.sopInstanceUid());
        meta.putString(Tag.TransferSyntaxUID, VR.UI, o.transferSyntax().uid());
        meta.putString(Tag.ImplementationClassUID, VR.UI, DicomWriter.IMPLEMENTATION_CLASS_UID);
        meta.putString(Tag.ImplementationVersionName, VR.SH, DicomWriter.IMPLEMENTATION_VERSION);
        meta.putString(Tag.SourceApplicationEntityTitle, VR.AE, o.callingAe());
        new DicomWriter().writeMetaOnly(meta, out);
        Files.copy(o.dataSetFile(), out);
    }
}
