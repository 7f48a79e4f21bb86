package org.medveil.dicom;

/**
 * Input is not valid DICOM where the codec could decode it. Names the byte offset (in the
 * decoded stream; inside deflated data this is the inflated offset) and the tag being read.
 * Messages never contain element values, so they are safe to log.
 */
public final class DicomParseException extends DicomException {
    private final long offset;
    private final int tag;

    public DicomParseException(String problem, long offset, int tag) {
        super(format(problem, offset, tag));
        this.offset = offset;
        this.tag = tag;
    }

    public DicomParseException(String problem, long offset, int tag, Throwable cause) {
        super(format(problem, offset, tag), cause);
        this.offset = offset;
        this.tag = tag;
    }

    private static String format(String problem, long offset, int tag) {
        String where = tag == -1 ? "" : " in element " + Tag.toString(tag);
        return problem + " at offset " + offset + where
                + "; the file is truncated or not valid DICOM (check the sender or re-export it)";
    }

    /** Byte offset where the problem was found. */
    public long offset() { return offset; }

    /** Tag being decoded, or -1 if the problem is before any tag. */
    public int tag() { return tag; }
}
