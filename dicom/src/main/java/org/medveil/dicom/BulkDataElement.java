package org.medveil.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A large value not loaded while reading: where it lies in the file. Big-endian files are never
 * read this way (their values must be swapped), so the bytes there are little endian.
 * {@code length} is -1 for encapsulated (undefined-length) pixel data, which then runs to the
 * sequence delimiter. {@code stamp} is what the file was when it was read (null: not recorded);
 * whoever fetches the bytes calls {@link #checkUnchanged} first, so a file replaced or rewritten
 * in between is refused instead of mixing another object's bytes into this one.
 */
public record BulkDataElement(int tag, VR vr, Path file, long offset, long length, Stamp stamp) implements Element {

    public BulkDataElement(int tag, VR vr, Path file, long offset, long length) {
        this(tag, vr, file, offset, length, null);
    }

    /** Identity of a file's content as far as the file system tells: size, modification time and file key (inode). */
    public record Stamp(long size, long modifiedNanos, Object fileKey) {
        public static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.fileKey());
        }
    }

    /** @throws DicomException when the file is no longer the one this value was read from */
    public void checkUnchanged() throws IOException {
        if (stamp != null && !Objects.equals(stamp, Stamp.of(file))) {
            throw new DicomException("the file " + file + " changed since it was read (size, time or identity differ); "
                    + "its value " + Tag.toString(tag) + " is not taken from it: read the file again");
        }
    }
}
