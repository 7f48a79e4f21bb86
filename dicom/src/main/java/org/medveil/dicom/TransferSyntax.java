package org.medveil.dicom;

import java.util.List;

/**
 * How a data set is encoded. Unknown UIDs are treated as encapsulated explicit VR little endian
 * so that compressed syntaxes we cannot decode still pass through untouched.
 */
public record TransferSyntax(String uid, String name, boolean explicitVr, boolean bigEndian,
                             boolean deflated, boolean encapsulated) {

    public static final TransferSyntax IMPLICIT_LE =
            new TransferSyntax("1.2.840.10008.1.2", "ImplicitVRLittleEndian", false, false, false, false);
    public static final TransferSyntax EXPLICIT_LE =
            new TransferSyntax("1.2.840.10008.1.2.1", "ExplicitVRLittleEndian", true, false, false, false);
    public static final TransferSyntax DEFLATED_LE =
            new TransferSyntax("1.2.840.10008.1.2.1.99", "DeflatedExplicitVRLittleEndian", true, false, true, false);
    public static final TransferSyntax EXPLICIT_BE =
            new TransferSyntax("1.2.840.10008.1.2.2", "ExplicitVRBigEndian", true, true, false, false);
    public static final TransferSyntax JPEG_BASELINE = encaps("1.2.840.10008.1.2.4.50", "JPEGBaseline8Bit");
    public static final TransferSyntax JPEG_EXTENDED = encaps("1.2.840.10008.1.2.4.51", "JPEGExtended12Bit");
    public static final TransferSyntax JPEG_LOSSLESS = encaps("1.2.840.10008.1.2.4.57", "JPEGLossless");
    public static final TransferSyntax JPEG_LOSSLESS_SV1 = encaps("1.2.840.10008.1.2.4.70", "JPEGLosslessSV1");
    public static final TransferSyntax JPEG_LS_LOSSLESS = encaps("1.2.840.10008.1.2.4.80", "JPEGLSLossless");
    public static final TransferSyntax JPEG_LS_NEAR_LOSSLESS = encaps("1.2.840.10008.1.2.4.81", "JPEGLSNearLossless");
    public static final TransferSyntax JPEG_2000_LOSSLESS = encaps("1.2.840.10008.1.2.4.90", "JPEG2000Lossless");
    public static final TransferSyntax JPEG_2000 = encaps("1.2.840.10008.1.2.4.91", "JPEG2000");
    public static final TransferSyntax RLE_LOSSLESS = encaps("1.2.840.10008.1.2.5", "RLELossless");

    /** Syntaxes we read and can accept in an association. */
    public static final List<TransferSyntax> KNOWN = List.of(IMPLICIT_LE, EXPLICIT_LE, DEFLATED_LE, EXPLICIT_BE,
            JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS, JPEG_LOSSLESS_SV1, JPEG_LS_LOSSLESS,
            JPEG_LS_NEAR_LOSSLESS, JPEG_2000_LOSSLESS, JPEG_2000, RLE_LOSSLESS);

    private static TransferSyntax encaps(String uid, String name) {
        return new TransferSyntax(uid, name, true, false, false, true);
    }

    /** Known syntax for the UID, or an encapsulated pass-through syntax for an unknown one. */
    public static TransferSyntax of(String uid) {
        String u = uid.strip();
        for (TransferSyntax ts : KNOWN) {
            if (ts.uid.equals(u)) {
                return ts;
            }
        }
        return new TransferSyntax(u, "Unknown(" + u + ")", true, false, false, true);
    }

    /** True for syntaxes in {@link #KNOWN}. */
    public boolean isKnown() { return KNOWN.contains(this); }
}
