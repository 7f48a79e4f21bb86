package org.medveil.dicom.pixel;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
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
import java.util.List;

/**
 * Corrupted sequential DCT frames (issue 9 part 5): decoded to the right number of samples, in
 * range, or refused with a DicomException; never a runtime exception or a hang. Seeds: an 8-bit
 * 4:2:0 colour frame from the corpus and 12-bit frames from {@link JpegTestEncoder} with restart
 * intervals and several scans, so mutations reach every marker and table the decoder reads.
 */
class JpegDctFuzzTest {
    /** {frame, width, height, components}. */
    private static List<Object[]> seeds;

    private static synchronized List<Object[]> seeds() {
        if (seeds == null) {
            try {
                byte[] colour = ((FragmentsElement) new DicomReader()
                        .read(Environment.corpusFile("test_files/SC_rgb_dcmtk_+eb+cy+np.dcm")).dataSet().get(Tag.PixelData))
                        .fragment(0);
                int w = 40;
                int h = 24;
                int[][] grey = new int[1][w * h];
                int[][] ycc = new int[3][w * h];
                for (int i = 0; i < w * h; i++) {
                    grey[0][i] = (i % w) * 90 + (i / w) * 17 + (i % 7) * 60;
                    for (int k = 0; k < 3; k++) {
                        ycc[k][i] = ((i % w) * (30 + k * 20) + (i / w) * 50) % 4096;
                    }
                }
                byte[] grey12 = JpegTestEncoder.encode(grey, w, h,
                        new JpegTestEncoder.Options().precision(12).restart(3).sixteenBitTables());
                byte[] colour12 = JpegTestEncoder.encode(ycc, w, h, new JpegTestEncoder.Options().precision(12)
                        .sampling(new int[] {2, 1, 1}, new int[] {2, 1, 1}).scans(new int[] {0}, new int[] {1, 2})
                        .restart(2));
                seeds = List.of(new Object[] {colour, 100, 100, 3}, new Object[] {grey12, w, h, 1},
                        new Object[] {colour12, w, h, 3});
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return seeds;
    }

    record Mutant(int seed, byte[] frame) {}

    @Provide
    Arbitrary<Mutant> corrupted() {
        return Arbitraries.integers().between(0, 2).flatMap(s -> {
            byte[] base = (byte[]) seeds().get(s)[0];
            int n = base.length;
            Arbitrary<List<Integer>> positions = Arbitraries.integers().between(0, n - 1).list().ofMinSize(1).ofMaxSize(4);
            // the first few hundred bytes are headers and tables: hit them often
            Arbitrary<List<Integer>> headerPositions = Arbitraries.integers().between(0, Math.min(n - 1, 700)).list()
                    .ofMinSize(1).ofMaxSize(3);
            return Combinators.combine(Arbitraries.oneOf(positions, headerPositions),
                    Arbitraries.bytes().array(byte[].class).ofSize(4), Arbitraries.integers().between(1, n))
                    .as((pos, val, cut) -> {
                        byte[] b = base.clone();
                        for (int i = 0; i < pos.size(); i++) {
                            b[pos.get(i)] = val[i];
                        }
                        return new Mutant(s, Arrays.copyOf(b, cut));
                    });
        });
    }

    @Property(tries = 4_000, shrinking = ShrinkingMode.OFF)
    @net.jqwik.api.Tag("issue-9")
    void corruptFramesAreDecodedOrRefused(@ForAll("corrupted") Mutant m) {
        Object[] s = seeds().get(m.seed());
        int w = (int) s[1];
        int h = (int) s[2];
        int n = (int) s[3];
        try {
            JpegDctDecoder.Image img = JpegDctDecoder.decode(m.frame(), w, h, n, n == 3, 2);
            byte[] px = img.samples();
            if (px.length != w * h * n * 2) {
                throw new AssertionError("wrong sample count " + px.length);
            }
            for (int i = 0; i < px.length; i += 2) {
                int v = (px[i] & 0xFF) | (px[i + 1] & 0xFF) << 8;
                if (v > 4095) { // a mutated precision byte may turn 8 into 12 bits, never more
                    throw new AssertionError("sample " + v + " beyond 12 bits");
                }
            }
        } catch (DicomException expected) {
            // refused with a reason
        }
    }
}
