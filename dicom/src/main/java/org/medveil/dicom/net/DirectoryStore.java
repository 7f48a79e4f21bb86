package org.medveil.dicom.net;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Element;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Writes each received object as a Part 10 file into one folder: meta header plus the data set
 * bytes exactly as received. The file name is a digest of the SOP Instance UID (never PHI in
 * paths); the file is synced and then hard-linked to its name before success is answered.
 * <p>
 * A stored object is never replaced. The same SOP Instance UID arriving again with the same data
 * set (a sender's retry) is answered success without a second copy; with a different data set it
 * is refused with {@link #DUPLICATE_DIFFERENT_CONTENT} and the stored file stays as it was.
 */
public final class DirectoryStore implements StoreHandler {
    /**
     * C-STORE status for "SOP Instance UID already stored with different content": a failure
     * (PS3.4 B.2.3 lists no status for this case), from the "Refused" range A7xx, so the sender
     * keeps its copy. A warning (B0xx) would say "stored", which it is not.
     */
    public static final int DUPLICATE_DIFFERENT_CONTENT = 0xA770;
    /** The Error Comment sent with {@link #DUPLICATE_DIFFERENT_CONTENT}; holds no PHI. */
    public static final String DUPLICATE_COMMENT = org.medveil.dicom.files.DuplicateSop.DIFFERENT_CONTENT;

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryStore.class);
    private final Path dir;
    private volatile boolean noLinks;

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
    public void store(ReceivedObject o) throws IOException, Refused {
        Path target = dir.resolve(fileName(o.sopInstanceUid()));
        if (Files.exists(target)) { // a retry or a conflict: decide before writing anything
            alreadyStored(o, target);
            return;
        }
        Path tmp = Files.createTempFile(dir, ".incoming-", ".part");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                writePart10(o, out);
                out.flush();
                ch.force(true);
            }
            if (!publish(tmp, target)) {
                alreadyStored(o, target); // another association stored this UID meanwhile
                return;
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // make the new name durable too
            } catch (IOException ignored) {
                // some file systems cannot sync a directory; the file itself is synced
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Links {@code tmp} to {@code target}; link(2) never replaces, unlike rename. False when the name is taken. */
    private boolean publish(Path tmp, Path target) throws IOException {
        if (!noLinks) {
            try {
                Files.createLink(target, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
                throw e;
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (Files.exists(target)) {
                    return false;
                }
                noLinks = true; // no hard links on this file system: check-then-move under this store's lock
            }
        }
        synchronized (this) {
            if (Files.exists(target)) {
                return false;
            }
            Files.move(tmp, target);
            return true;
        }
    }

    /** Success without a second copy when the stored object has the same data set; otherwise a refusal. */
    private void alreadyStored(ReceivedObject o, Path stored) throws IOException, Refused {
        if (sameDataSet(o, stored)) {
            LOG.info("object from {}@{} is already stored as {} with the same content; not stored twice",
                    o.callingAe(), o.remoteHost(), stored.getFileName());
            return;
        }
        // the file name is a digest: it names the object without PHI
        LOG.warn("object from {}@{} has the SOP Instance UID of {} but a different data set; refused, the stored file is unchanged",
                o.callingAe(), o.remoteHost(), stored.getFileName());
        throw new Refused(DUPLICATE_DIFFERENT_CONTENT, DUPLICATE_COMMENT);
    }

    /**
     * Same bytes as received in the same transfer syntax, or (a re-send in another syntax) equal
     * parsed data sets.
     */
    static boolean sameDataSet(ReceivedObject o, Path stored) throws IOException {
        DicomFile head;
        try {
            head = new DicomReader(DicomReader.Options.HEADERS).read(stored);
        } catch (DicomException e) {
            return false; // not readable: not the same object
        }
        if (head.transferSyntax().equals(o.transferSyntax())
                && Files.size(stored) - head.dataSetOffset() == Files.size(o.dataSetFile())) {
            return sameBytes(stored, head.dataSetOffset(), o.dataSetFile());
        }
        try {
            return sameObject(new DicomReader().read(stored).dataSet(), o.dataSet());
        } catch (DicomException e) {
            return false;
        }
    }

    /**
     * Whether two data sets hold the same object: equal at every depth, except that an element read
     * as UN (implicit VR without a dictionary entry: private tags) matches the same tag with any VR
     * and the same value bytes, so an implicit VR re-send of an explicit VR object is the same
     * object. The CLI's duplicate rule uses it too.
     */
    public static boolean sameObject(DataSet a, DataSet b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Element x : a.elements()) {
            Element y = b.get(x.tag());
            if (x instanceof SequenceElement s && y instanceof SequenceElement t) {
                if (s.size() != t.size()) {
                    return false;
                }
                for (int i = 0; i < s.size(); i++) {
                    if (!sameObject(s.item(i), t.item(i))) {
                        return false;
                    }
                }
            } else if (x instanceof ValueElement v && y instanceof ValueElement w && (v.vr() == VR.UN || w.vr() == VR.UN)) {
                if (!Arrays.equals(v.value(), w.value())) {
                    return false;
                }
            } else if (!x.equals(y)) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameBytes(Path a, long offset, Path b) throws IOException {
        try (InputStream x = new BufferedInputStream(Files.newInputStream(a), 1 << 16);
             InputStream y = new BufferedInputStream(Files.newInputStream(b), 1 << 16)) {
            x.skipNBytes(offset);
            byte[] bx = new byte[1 << 16];
            byte[] by = new byte[1 << 16];
            while (true) {
                int n = x.readNBytes(bx, 0, bx.length);
                int m = y.readNBytes(by, 0, by.length);
                if (n != m || !Arrays.equals(bx, 0, n, by, 0, m)) {
                    return false;
                }
                if (n < bx.length) {
                    return true;
                }
            }
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
