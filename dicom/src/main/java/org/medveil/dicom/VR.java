package org.medveil.dicom;

/** DICOM value representations (PS3.5 §6.2) with the encoding facts the codec needs. */
public enum VR {
    AE(true, false, 1, ' '), AS(true, false, 1, ' '), AT(false, false, 2, 0), CS(true, false, 1, ' '),
    DA(true, false, 1, ' '), DS(true, false, 1, ' '), DT(true, false, 1, ' '), FL(false, false, 4, 0),
    FD(false, false, 8, 0), IS(true, false, 1, ' '), LO(true, false, 1, ' '), LT(true, false, 1, ' '),
    OB(false, true, 1, 0), OD(false, true, 8, 0), OF(false, true, 4, 0), OL(false, true, 4, 0),
    OV(false, true, 8, 0), OW(false, true, 2, 0), PN(true, false, 1, ' '), SH(true, false, 1, ' '),
    SL(false, false, 4, 0), SQ(false, true, 1, 0), SS(false, false, 2, 0), ST(true, false, 1, ' '),
    SV(false, true, 8, 0), TM(true, false, 1, ' '), UC(true, true, 1, ' '), UI(true, false, 1, 0),
    UL(false, false, 4, 0), UN(false, true, 1, 0), UR(true, true, 1, ' '), US(false, false, 2, 0),
    UT(true, true, 1, ' '), UV(false, true, 8, 0);

    private final boolean text;
    private final boolean longLength;
    private final int unitSize;
    private final int padding;

    VR(boolean text, boolean longLength, int unitSize, int padding) {
        this.text = text;
        this.longLength = longLength;
        this.unitSize = unitSize;
        this.padding = padding;
    }

    /** True for character-string VRs (values are text in the data set's character set). */
    public boolean isText() { return text; }

    /** True when explicit VR encoding uses 2 reserved bytes and a 4-byte length. */
    public boolean hasLongLength() { return longLength; }

    /** Byte size of one binary unit; byte swapping for big endian happens per unit. */
    public int unitSize() { return unitSize; }

    /** Byte used to pad a value to even length. */
    public int paddingByte() { return padding; }

    /** True for text VRs whose values are never split on backslash. */
    public boolean isSingleValuedText() { return this == LT || this == ST || this == UT || this == UR; }

    /** True for text VRs affected by Specific Character Set (PS3.5 §6.1.2.3). */
    public boolean usesCharset() {
        return this == LO || this == LT || this == PN || this == SH || this == ST || this == UC || this == UT;
    }

    private static final VR[] BY_CODE = new VR[65536];

    static {
        for (VR vr : values()) {
            BY_CODE[(vr.name().charAt(0) << 8) | vr.name().charAt(1)] = vr;
        }
    }

    /** The VR whose two ASCII bytes are {@code code} (first byte high), or null if none. */
    public static VR ofCode(int code) {
        return BY_CODE[code & 0xFFFF];
    }

    /** Two-byte code of this VR, first character high. */
    public int code() {
        return (name().charAt(0) << 8) | name().charAt(1);
    }
}
