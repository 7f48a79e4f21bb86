package org.medveil.dicom.deid;

/**
 * A private attribute known not to identify anyone (PS3.15 E.3.10): private {@code group}, the
 * creator string that reserved the block, and the low byte of the element (gggg,BBxx → xx).
 */
public record SafePrivateTag(int group, String creator, int elementByte) {
    public SafePrivateTag {
        if ((group & 1) == 0 || group <= 8 || group > 0xFFFF) {
            throw new IllegalArgumentException(String.format("safe private tag group %04x is not a private (odd) group", group));
        }
        if (creator == null || creator.isBlank()) {
            throw new IllegalArgumentException("safe private tag in group " + String.format("%04x", group) + " needs its creator");
        }
        if (elementByte < 0 || elementByte > 0xFF) {
            throw new IllegalArgumentException("safe private element byte must be 00..ff, got " + elementByte);
        }
        creator = creator.strip();
    }

    /** Parses "gggg,CREATOR,xx" (hex group and element byte), the form used in profile files. */
    public static SafePrivateTag parse(String text) {
        String[] p = text.split(",", 3);
        if (p.length != 3) {
            throw new IllegalArgumentException("safe private tag '" + text + "' must be written gggg,CREATOR,xx "
                    + "(e.g. 0019,SIEMENS MR HEADER,0c)");
        }
        try {
            return new SafePrivateTag(Integer.parseInt(p[0].strip(), 16), p[1], Integer.parseInt(p[2].strip(), 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("safe private tag '" + text + "': group and element byte are hex", e);
        }
    }

    @Override
    public String toString() { return String.format("%04x,%s,%02x", group, creator, elementByte); }
}
