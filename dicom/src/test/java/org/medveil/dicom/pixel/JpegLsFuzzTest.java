package org.medveil.dicom.pixel;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Environment;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.io.DicomReader;

import java.util.Arrays;

/** Corrupted JPEG-LS frames: decoded or refused with DicomException, never a runtime error or a hang. */
class JpegLsFuzzTest {
    private static byte[] seed;

    private static byte[] seed() {
        if (seed == null) {
            try {
                seed = ((FragmentsElement) new DicomReader().read(Environment.corpusFile("test_files/MR_small_jpeg_ls_lossless.dcm"))
                        .dataSet().get(Tag.PixelData)).fragment(0);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return seed;
    }

    @Provide
    Arbitrary<byte[]> corrupted() {
        int n = seed().length;
        return Arbitraries.integers().between(0, n - 1).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(pos -> Arbitraries.bytes().array(byte[].class).ofSize(pos.size())
                        .flatMap(val -> Arbitraries.integers().between(1, n).map(cut -> {
                            byte[] b = seed().clone();
                            for (int i = 0; i < pos.size(); i++) {
                                b[pos.get(i)] = val[i];
                            }
                            return Arrays.copyOf(b, cut);
                        })));
    }

    @Property(tries = 5_000, shrinking = ShrinkingMode.OFF)
    @net.jqwik.api.Tag("issue-4")
    void corruptFramesAreDecodedOrRefused(@ForAll("corrupted") byte[] frame) {
        try {
            JpegLsDecoder.Image img = JpegLsDecoder.decode(frame, 64, 64, 1);
            if (img.samples().length != 64 * 64) {
                throw new AssertionError("wrong sample count " + img.samples().length);
            }
        } catch (DicomException expected) {
            // refused with a reason
        }
    }
}
