package org.medveil.dicom.pixel;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.medveil.dicom.DicomException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Our RLE decoder on random segment tables and data: a result of the right size or a DicomException. */
class RleFuzzTest {
    @Property(tries = 30_000, shrinking = ShrinkingMode.OFF)
    @net.jqwik.api.Tag("issue-4")
    void randomRleFramesDecodeOrAreRefused(@ForAll @Size(max = 400) byte[] payload,
                                            @ForAll @IntRange(min = 0, max = 3) int segments,
                                            @ForAll @IntRange(min = 0, max = 500) int offset2) {
        PixelDescription d = new PixelDescription(8, 8, 1, segments == 2 ? 16 : 8, 8, 0, 0, "MONOCHROME2", 1);
        ByteBuffer b = ByteBuffer.allocate(64 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(segments).putInt(64).putInt(offset2);
        b.position(64);
        b.put(payload);
        try {
            byte[] out = RleDecoder.decodeFrame(b.array(), d);
            if (out.length != d.frameLength()) {
                throw new AssertionError("decoded " + out.length + " bytes for a " + d.frameLength() + "-byte frame");
            }
        } catch (DicomException expected) {
            // refused with a reason
        }
    }
}
