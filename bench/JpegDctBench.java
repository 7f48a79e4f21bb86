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
 * memory: our JpegDctDecoder, and (8-bit only) the TwelveMonkeys ImageIO reader the PixelDecoder
 * used before (raster read, as PixelDecoder does). Run by bench/jpeg-dct.sh, which times dcmdjpeg too.
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
            time(name, "medveil JpegDctDecoder", ours, frames.size(), seconds);
            if (precision == 8) {
                Runnable imageio = () -> {
                    try {
                        for (byte[] fr : frames) {
                            ImageReader r = ImageIO.getImageReadersByFormatName("jpeg").next();
                            try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(fr))) {
                                r.setInput(in);
                                r.readRaster(0, null).getPixels(0, 0, d.columns(), d.rows(), (int[]) null);
                            } finally {
                                r.dispose();
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                time(name, "TwelveMonkeys ImageIO raster", imageio, frames.size(), seconds);
            }
        }
    }

    private static void time(String name, String what, Runnable r, int frames, double seconds) {
        run(r, seconds / 3); // warm-up
        double ms = run(r, seconds) / frames;
        System.out.printf("%-50s %-30s %8.3f ms/frame%n", name, what, ms);
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
