package org.medveil.dicom.dict;

import org.medveil.dicom.VR;

import java.util.List;

/**
 * One data dictionary row. {@code vrs} holds the alternatives PS3.6 lists (e.g. US or SS); it is
 * empty for item and delimiter tags, which have no VR.
 */
public record DictEntry(int tag, int mask, List<VR> vrs, String vm, String keyword, boolean retired) {
    /** The first (default) VR, or UN when the dictionary names none. */
    public VR vr() { return vrs.isEmpty() ? VR.UN : vrs.get(0); }

    /** True when more than one VR is allowed and context (e.g. Pixel Representation) decides. */
    public boolean ambiguous() { return vrs.size() > 1; }
}
