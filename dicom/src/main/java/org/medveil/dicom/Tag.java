package org.medveil.dicom;

/** Tag constants and helpers; a tag is an int: group in the high 16 bits, element in the low. */
public final class Tag {
    private Tag() {}

    public static final int FileMetaInformationGroupLength = 0x00020000;
    public static final int FileMetaInformationVersion = 0x00020001;
    public static final int MediaStorageSOPClassUID = 0x00020002;
    public static final int MediaStorageSOPInstanceUID = 0x00020003;
    public static final int TransferSyntaxUID = 0x00020010;
    public static final int ImplementationClassUID = 0x00020012;
    public static final int ImplementationVersionName = 0x00020013;
    public static final int SourceApplicationEntityTitle = 0x00020016;
    public static final int SpecificCharacterSet = 0x00080005;
    public static final int SOPClassUID = 0x00080016;
    public static final int SOPInstanceUID = 0x00080018;
    public static final int PatientName = 0x00100010;
    public static final int PatientID = 0x00100020;
    public static final int NumberOfFrames = 0x00280008;
    public static final int SamplesPerPixel = 0x00280002;
    public static final int PhotometricInterpretation = 0x00280004;
    public static final int PlanarConfiguration = 0x00280006;
    public static final int Rows = 0x00280010;
    public static final int Columns = 0x00280011;
    public static final int BitsAllocated = 0x00280100;
    public static final int BitsStored = 0x00280101;
    public static final int HighBit = 0x00280102;
    public static final int PixelRepresentation = 0x00280103;
    public static final int ExtendedOffsetTable = 0x7FE00001;
    public static final int ExtendedOffsetTableLengths = 0x7FE00002;
    public static final int PixelData = 0x7FE00010;
    public static final int Item = 0xFFFEE000;
    public static final int ItemDelimitationItem = 0xFFFEE00D;
    public static final int SequenceDelimitationItem = 0xFFFEE0DD;

    public static int group(int tag) { return tag >>> 16; }

    public static int element(int tag) { return tag & 0xFFFF; }

    public static int of(int group, int element) { return (group << 16) | (element & 0xFFFF); }

    /** Odd groups above 0008 are private (PS3.5 §7.8). */
    public static boolean isPrivate(int tag) {
        int g = group(tag);
        return (g & 1) == 1 && g > 0x0008 && g != 0xFFFF;
    }

    /** (gggg,0010-00FF) in a private group reserves a block for a creator. */
    public static boolean isPrivateCreator(int tag) {
        int e = element(tag);
        return isPrivate(tag) && e >= 0x0010 && e <= 0x00FF;
    }

    /** The creator element (gggg,00xx) that owns private element (gggg,xxyy), or -1. */
    public static int privateCreatorOf(int tag) {
        int e = element(tag);
        if (!isPrivate(tag) || e < 0x1000) {
            return -1;
        }
        return of(group(tag), e >>> 8);
    }

    public static boolean isGroupLength(int tag) { return element(tag) == 0; }

    /** Sort order of tags in a data set: unsigned. */
    public static int compare(int a, int b) { return Integer.compareUnsigned(a, b); }

    /** "(gggg,eeee)" in lower-case hex, as dcmdump prints it. */
    public static String toString(int tag) {
        return String.format("(%04x,%04x)", group(tag), element(tag));
    }
}
