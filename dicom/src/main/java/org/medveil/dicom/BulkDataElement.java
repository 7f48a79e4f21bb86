package org.medveil.dicom;

import java.nio.file.Path;

/**
 * A large value not loaded while reading headers: where it lies in the file. Big-endian files
 * are never read this way (their values must be swapped), so the bytes there are little endian.
 * {@code length} is -1 for encapsulated (undefined-length) pixel data, which then runs to the
 * sequence delimiter.
 */
public record BulkDataElement(int tag, VR vr, Path file, long offset, long length) implements Element {}
