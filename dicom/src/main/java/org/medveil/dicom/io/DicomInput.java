package org.medveil.dicom.io;

import org.medveil.dicom.DicomParseException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Buffered byte source that tracks its position and, when the total size is known, checks every
 * length against what remains, so a corrupt length can never make us allocate gigabytes.
 */
final class DicomInput {
    /** Above this size a value is read in chunks when the remaining size is unknown. */
    private static final int CHUNK = 1 << 20;

    /** Buffer for headers and small values; values that do not fit are read straight into their arrays. */
    private static final int BUFFER = 16384;

    private final InputStream in; // null when reading from an array
    private final long size;
    private final byte[] buf;
    private int bufPos;
    private int bufLen;
    private long bufStart;
    private boolean eof;

    /** @param size total bytes the stream will deliver, or -1 if unknown (deflate, network) */
    DicomInput(InputStream in, long size) {
        this.in = in;
        this.size = size;
        this.buf = new byte[BUFFER];
    }

    /** Reads {@code data} in place: no buffer, no copy but the values themselves. The array is never written. */
    DicomInput(byte[] data) {
        this.in = null;
        this.size = data.length;
        this.buf = data;
        this.bufLen = data.length;
        this.eof = true;
    }

    long position() { return bufStart + bufPos; }

    /** Bytes left when the size is known, else Long.MAX_VALUE. */
    long remainingKnown() { return size < 0 ? Long.MAX_VALUE : size - position(); }

    boolean sizeKnown() { return size >= 0; }

    /** Makes at least {@code n} (≤ buffer size) bytes available; false at end of stream. */
    private boolean ensure(int n) throws IOException {
        if (bufLen - bufPos >= n) {
            return true;
        }
        if (in == null) {
            return false; // array mode: everything is there already
        }
        if (bufPos > 0) {
            System.arraycopy(buf, bufPos, buf, 0, bufLen - bufPos);
            bufStart += bufPos;
            bufLen -= bufPos;
            bufPos = 0;
        }
        while (bufLen < n && !eof) {
            int r = readRaw(buf, bufLen, buf.length - bufLen);
            if (r < 0) {
                eof = true;
            } else {
                bufLen += r;
            }
        }
        return bufLen - bufPos >= n;
    }

    private int readRaw(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            // only inflating streams throw these: the deflated data itself is corrupt or cut short
            throw new DicomParseException("corrupt deflated data (" + e.getMessage() + ")", position(), -1, e);
        }
    }

    /** True when no byte is left. */
    boolean atEnd() throws IOException { return !ensure(1); }

    /** Unsigned byte at {@code ahead} bytes from the position, or -1 past the end. */
    int peek(int ahead) throws IOException {
        return ensure(ahead + 1) ? buf[bufPos + ahead] & 0xFF : -1;
    }

    private void need(int n, int tag) throws IOException {
        if (!ensure(n)) {
            throw new DicomParseException("unexpected end of data (needed " + n + " more bytes)", position(), tag);
        }
    }

    int u8(int tag) throws IOException {
        need(1, tag);
        return buf[bufPos++] & 0xFF;
    }

    int u16(boolean bigEndian, int tag) throws IOException {
        need(2, tag);
        int a = buf[bufPos] & 0xFF;
        int b = buf[bufPos + 1] & 0xFF;
        bufPos += 2;
        return bigEndian ? (a << 8) | b : (b << 8) | a;
    }

    int i32(boolean bigEndian, int tag) throws IOException {
        need(4, tag);
        int a = buf[bufPos] & 0xFF, b = buf[bufPos + 1] & 0xFF, c = buf[bufPos + 2] & 0xFF, d = buf[bufPos + 3] & 0xFF;
        bufPos += 4;
        return bigEndian ? (a << 24) | (b << 16) | (c << 8) | d : (d << 24) | (c << 16) | (b << 8) | a;
    }

    /** Reads exactly {@code len} bytes; the length is checked before anything is allocated. */
    byte[] bytes(long len, int tag) throws IOException {
        if (len < 0 || len > Integer.MAX_VALUE - 16) {
            throw new DicomParseException("value length " + len + " is too large", position(), tag);
        }
        if (len > remainingKnown()) {
            throw new DicomParseException("value length " + len + " exceeds the " + remainingKnown()
                    + " bytes left", position(), tag);
        }
        int n = (int) len;
        if (bufLen - bufPos >= n) { // all buffered (always so in array mode): one copy, no zeroing
            byte[] out = java.util.Arrays.copyOfRange(buf, bufPos, bufPos + n);
            bufPos += n;
            return out;
        }
        if (sizeKnown() || n <= CHUNK) {
            byte[] out = new byte[n];
            read(out, 0, n, tag);
            return out;
        }
        // Unknown remaining size: grow with the data actually received, never trust the length.
        ByteArrayOutputStream acc = new ByteArrayOutputStream(CHUNK);
        byte[] chunk = new byte[CHUNK];
        int left = n;
        while (left > 0) {
            int k = Math.min(left, CHUNK);
            read(chunk, 0, k, tag);
            acc.write(chunk, 0, k);
            left -= k;
        }
        return acc.toByteArray();
    }

    private void read(byte[] out, int off, int n, int tag) throws IOException {
        while (n > 0) {
            if (bufPos == bufLen && n >= buf.length && in != null && !eof) {
                // nothing buffered and a large value: read it straight into its array (pixel data
                // is not copied through the buffer)
                bufStart += bufLen;
                bufPos = bufLen = 0;
                int r = readRaw(out, off, n);
                if (r < 0) {
                    eof = true;
                    continue; // reported below
                }
                bufStart += r;
                off += r;
                n -= r;
                continue;
            }
            if (!ensure(1)) {
                throw new DicomParseException("unexpected end of data (" + n + " bytes of the value missing)", position(), tag);
            }
            int k = Math.min(n, bufLen - bufPos);
            System.arraycopy(buf, bufPos, out, off, k);
            bufPos += k;
            off += k;
            n -= k;
        }
    }

    /** Skips {@code len} bytes, checked like {@link #bytes}. */
    void skip(long len, int tag) throws IOException {
        if (len > remainingKnown()) {
            throw new DicomParseException("value length " + len + " exceeds the " + remainingKnown()
                    + " bytes left", position(), tag);
        }
        long left = len;
        while (left > 0) {
            if (bufPos == bufLen && left >= buf.length && in != null && !eof && sizeKnown()) {
                // a large value of a file left where it is (bulk data): seek, do not read it
                bufStart += bufLen;
                bufPos = bufLen = 0;
                try {
                    in.skipNBytes(left);
                } catch (java.io.EOFException e) {
                    throw new DicomParseException("unexpected end of data while skipping a value", position(), tag, e);
                }
                bufStart += left;
                return;
            }
            if (!ensure(1)) {
                throw new DicomParseException("unexpected end of data while skipping a value", position(), tag);
            }
            int k = (int) Math.min(left, bufLen - bufPos);
            bufPos += k;
            left -= k;
        }
    }

    /** The rest of the stream, starting with what is buffered (used to switch to inflating). */
    InputStream rest() {
        byte[] pending = java.util.Arrays.copyOfRange(buf, bufPos, bufLen);
        bufPos = bufLen;
        java.io.ByteArrayInputStream head = new java.io.ByteArrayInputStream(pending);
        return in == null ? head : new java.io.SequenceInputStream(head, in);
    }
}
