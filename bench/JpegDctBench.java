import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.pixel.FrameFragments;
import org.medveil.dicom.pixel.JpegDctDecoder;
import org.medveil.dicom.pixel.PixelDescription;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Decode time per frame of JPEG baseline/extended DICOM files, in one JVM after warm-up, from
 * memory: our JpegDctDecoder, and (8-bit only) the TwelveMonkeys ImageIO reader PixelDecoder
 * used before, with the same raster read and Java colour conversion. Best of 3 alternating rounds.
 * Run by bench/jpeg-dct.sh, which times dcmdjpeg too.
 * Usage: java -cp <classes and jars> JpegDctBench.java SECONDS FILE...
 */
public class JpegDctBench {
    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[0]);
        for (int i = 1; i < args.length; i++) {
            DicomFile f = new DicomReader().read(Path.of(args[i]));
            PixelDescription d = PixelDescription.of(f.dataSet());
            List<byte[]> frames = FrameFragments.frames((FragmentsElement) f.dataSet().get(Tag.PixelData), f.dataSet(),
                    d.frames());
            boolean ybr = d.samplesPerPixel() == 3 && d.photometric().startsWith("YBR_FULL");
            int precision = JpegDctDecoder.sequentialPrecision(frames.get(0));
            String name = Path.of(args[i]).getFileName() + " (" + d.columns() + "x" + d.rows() + "x" + d.samplesPerPixel()
                    + ", " + precision + "-bit, " + frames.size() + " frames)";
            Runnable ours = () -> {
                try {
                    for (byte[] fr : frames) {
                        JpegDctDecoder.decode(fr, d.columns(), d.rows(), d.samplesPerPixel(), ybr, d.bytesPerSample());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            // What PixelDecoder did for every JPEG before (and still does for 8-bit unless told
            // otherwise): TwelveMonkeys raster read, then samples to bytes and YCbCr to RGB in Java.
            Runnable imageio = () -> {
                try {
                    for (byte[] fr : frames) {
                        ImageReader r = ImageIO.getImageReadersByFormatName("jpeg").next();
                        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(fr))) {
                            r.setInput(in);
                            int[] px = r.readRaster(0, null).getPixels(0, 0, d.columns(), d.rows(), (int[]) null);
                            byte[] out = new byte[px.length * d.bytesPerSample()];
                            for (int k = 0; k + 2 < px.length && ybr; k += 3) {
                                double y = px[k];
                                double cb = px[k + 1] - 128;
                                double cr = px[k + 2] - 128;
                                px[k] = (int) Math.max(0, Math.min(255, Math.round(y + 1.402 * cr)));
                                px[k + 1] = (int) Math.max(0, Math.min(255, Math.round(y - 0.344136 * cb - 0.714136 * cr)));
                                px[k + 2] = (int) Math.max(0, Math.min(255, Math.round(y + 1.772 * cb)));
                            }
                            for (int k = 0; k < px.length; k++) {
                                out[k] = (byte) px[k];
                            }
                        } finally {
                            r.dispose();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            // alternate the decoders in rounds so a change of machine load hits both; keep each one's best round
            double best = Double.MAX_VALUE;
            double bestImageio = Double.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                run(ours, seconds / 6); // warm-up
                best = Math.min(best, run(ours, seconds / 3) / frames.size());
                if (precision == 8) {
                    run(imageio, seconds / 6);
                    bestImageio = Math.min(bestImageio, run(imageio, seconds / 3) / frames.size());
                }
            }
            System.out.printf("%-50s %-34s %8.3f ms/frame%n", name, "medveil JpegDctDecoder", best);
            if (precision == 8) {
                System.out.printf("%-50s %-34s %8.3f ms/frame%n", name, "TwelveMonkeys ImageIO + conversion", bestImageio);
            }
        }
    }

    /** Mean milliseconds per call of {@code r}, repeated for {@code seconds}. */
    private static double run(Runnable r, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long n = 0;
        do {
            r.run();
            n++;
        } while (System.nanoTime() < deadline);
        return (System.nanoTime() - start) / 1e6 / n;
    }
}
