package org.medveil.models.synth;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.models.ModelsException;
import org.medveil.models.data.LabeledFolders;
import org.medveil.models.data.Tags;

/**
 * Writes a reproducible multi-site synthetic CT data set for a binary task (lesion present or
 * not). Each image is an axial-like slice: air, an elliptical body with a fat rim, organs of
 * slightly different density, a vertebra, and for positives a round lesion whose contrast,
 * size and polarity depend on the site. Values are generated in HU, distorted by the site's
 * calibration and noise, and stored through its Rescale Slope/Intercept. Every random choice
 * comes from {@code (seed, site, patient)}, so the same arguments give byte-identical files.
 */
public final class SyntheticGenerator {
    /** CT Image Storage. */
    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";

    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;

    private final long seed;

    public SyntheticGenerator(long seed) { this.seed = seed; }

    /** Writes {@code patients} images for each of {@code sites} sites under {@code out/site-N}. */
    public List<SiteSummary> generate(int sites, int patients, Path out) {
        if (sites < 1 || patients < 1) {
            throw new ModelsException("need at least one site and one patient (got sites=" + sites
                    + ", patients=" + patients + ")");
        }
        List<SiteSummary> summaries = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            summaries.add(writeSite(SiteProfile.standard(s), s, patients, out.resolve(SiteProfile.standard(s).name())));
        }
        return summaries;
    }

    /** Writes one site's images and its {@code labels.csv}. */
    public SiteSummary writeSite(SiteProfile site, int siteIndex, int patients, Path folder) {
        DicomWriter writer = new DicomWriter();
        StringBuilder labels = new StringBuilder("sop_instance_uid,label\n");
        int positives = 0;
        int burned = 0;
        int chinese = 0;
        try {
            Files.createDirectories(folder);
            for (int p = 0; p < patients; p++) {
                SyntheticImage im = image(site, siteIndex, p);
                writer.writeFile(new DicomFile(new DataSet(), im.dataSet(), TransferSyntax.EXPLICIT_LE, 0),
                        folder.resolve(String.format(Locale.ROOT, "IMG%05d.dcm", p + 1)), TransferSyntax.EXPLICIT_LE);
                labels.append(im.sopInstanceUid()).append(',').append(im.label()).append('\n');
                positives += im.label();
                burned += im.burnedIn() ? 1 : 0;
                chinese += im.chineseName() ? 1 : 0;
            }
            Files.writeString(folder.resolve(LabeledFolders.LABELS), labels, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelsException("cannot write synthetic data for " + site.name() + " under " + folder + ": "
                    + e.getMessage() + "; check the output folder is writable and has space", e);
        }
        return new SiteSummary(site.name(), folder, patients, positives, burned, chinese);
    }

    /** Generates image {@code patient} of a site in memory. */
    public SyntheticImage image(SiteProfile site, int siteIndex, int patient) {
        SplittableRandom rng = new SplittableRandom(mix(seed, siteIndex, patient));
        int label = rng.nextDouble() < site.positiveFraction() ? 1 : 0;
        boolean burnedIn = rng.nextDouble() < site.burnedInFraction();
        FakePhi phi = FakePhi.draw(rng.split(), site, patient);

        int n = site.matrix();
        double[] hu = anatomy(rng, n, site.pixelSpacing());
        if (label == 1) {
            addLesion(rng, hu, n, site);
        }
        short[] stored = store(rng, hu, site);
        if (burnedIn) {
            burnIn(stored, n, phi.patientId().replace("-", "") + " " + phi.studyDate().format(DA).substring(2),
                    maxStored(site));
        }

        String study = uid(rng);
        String series = uid(rng);
        String sop = uid(rng);
        DataSet ds = new DataSet();
        boolean needsGb = phi.chinese() || site.chineseInstitution() || !isAscii(phi.referringPhysician());
        if (needsGb) {
            ds.putString(Tag.SpecificCharacterSet, VR.CS, "GB18030");
        } else if (!isAscii(phi.patientName())) {
            ds.putString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100");
        }
        ds.putString(Tags.ImageType, VR.CS, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.putString(Tag.SOPClassUID, VR.UI, CT_IMAGE_STORAGE);
        ds.putString(Tag.SOPInstanceUID, VR.UI, sop);
        ds.putString(Tags.StudyDate, VR.DA, phi.studyDate().format(DA));
        ds.putString(Tags.SeriesDate, VR.DA, phi.studyDate().format(DA));
        ds.putString(Tags.ContentDate, VR.DA, phi.studyDate().format(DA));
        ds.putString(Tags.StudyTime, VR.TM, phi.studyTime());
        ds.putString(Tags.AccessionNumber, VR.SH, phi.accession());
        ds.putString(Tags.Modality, VR.CS, "CT");
        ds.putString(Tags.Manufacturer, VR.LO, site.manufacturer());
        ds.putString(Tags.InstitutionName, VR.LO, site.institution());
        ds.putString(Tags.ReferringPhysicianName, VR.PN, phi.referringPhysician());
        ds.putString(Tags.StationName, VR.SH, "CT" + (siteIndex + 1) + "-" + (1 + rng.nextInt(3)));
        ds.putString(Tags.ManufacturerModelName, VR.LO, "SynthScan " + (64 * (1 + siteIndex % 3)));
        ds.putString(Tag.PatientName, VR.PN, phi.patientName());
        ds.putString(Tag.PatientID, VR.LO, phi.patientId());
        ds.putString(Tags.PatientBirthDate, VR.DA, phi.birthDate().format(DA));
        ds.putString(Tags.PatientSex, VR.CS, phi.sex());
        ds.putString(Tags.PatientAge, VR.AS, phi.age());
        ds.putString(Tags.BodyPartExamined, VR.CS, "ABDOMEN");
        ds.putString(Tags.SliceThickness, VR.DS, "5");
        ds.putString(Tags.KVP, VR.DS, "120");
        ds.putString(Tags.StudyInstanceUID, VR.UI, study);
        ds.putString(Tags.SeriesInstanceUID, VR.UI, series);
        ds.putString(Tags.StudyID, VR.SH, String.valueOf(1 + patient));
        ds.putString(Tags.SeriesNumber, VR.IS, "1");
        ds.putString(Tags.InstanceNumber, VR.IS, "1");
        ds.putInts(Tag.SamplesPerPixel, VR.US, 1);
        ds.putString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
        ds.putInts(Tag.Rows, VR.US, n);
        ds.putInts(Tag.Columns, VR.US, n);
        String spacing = decimal(site.pixelSpacing());
        ds.putString(Tags.PixelSpacing, VR.DS, spacing, spacing);
        ds.putInts(Tag.BitsAllocated, VR.US, 16);
        ds.putInts(Tag.BitsStored, VR.US, site.bitsStored());
        ds.putInts(Tag.HighBit, VR.US, site.bitsStored() - 1);
        ds.putInts(Tag.PixelRepresentation, VR.US, site.signedPixels() ? 1 : 0);
        ds.putString(Tags.BurnedInAnnotation, VR.CS, burnedIn ? "YES" : "NO");
        ds.putString(Tags.WindowCenter, VR.DS, "40");
        ds.putString(Tags.WindowWidth, VR.DS, "400");
        ds.putString(Tags.RescaleIntercept, VR.DS, decimal(site.rescaleIntercept()));
        ds.putString(Tags.RescaleSlope, VR.DS, decimal(site.rescaleSlope()));
        ds.putString(Tags.RescaleType, VR.LO, "HU");
        ByteBuffer px = ByteBuffer.allocate(stored.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : stored) {
            px.putShort(s);
        }
        ds.putBytes(Tag.PixelData, VR.OW, px.array());
        return new SyntheticImage(ds, sop, label, burnedIn, phi.chinese());
    }

    /** True HU of a slice without lesion: air, body ellipse with fat rim, organs, vertebra. */
    private static double[] anatomy(SplittableRandom rng, int n, double spacing) {
        double[] hu = new double[n * n];
        double c = n / 2.0;
        double cx = c + gauss(rng) * 8 / spacing;
        double cy = c + gauss(rng) * 8 / spacing;
        double ax = (120 + 20 * rng.nextDouble()) / spacing;
        double ay = (90 + 20 * rng.nextDouble()) / spacing;
        double rim = 10 / spacing;
        double[][] organs = new double[3][];
        for (int k = 0; k < organs.length; k++) {
            organs[k] = new double[] {cx + (rng.nextDouble() - 0.5) * ax, cy + (rng.nextDouble() - 0.7) * ay,
                (25 + 25 * rng.nextDouble()) / spacing, (20 + 20 * rng.nextDouble()) / spacing,
                40 + 20 * rng.nextDouble()};
        }
        double spineX = cx;
        double spineY = cy + ay * 0.6;
        double spineR = 14 / spacing;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double dx = (x + 0.5 - cx) / ax;
                double dy = (y + 0.5 - cy) / ay;
                double r = Math.sqrt(dx * dx + dy * dy);
                double v;
                if (r > 1) {
                    v = -1000;
                } else if (r > 1 - rim / Math.min(ax, ay)) {
                    v = -100;
                } else {
                    v = 35;
                    for (double[] o : organs) {
                        double ox = (x + 0.5 - o[0]) / o[2];
                        double oy = (y + 0.5 - o[1]) / o[3];
                        if (ox * ox + oy * oy < 1) {
                            v = o[4];
                        }
                    }
                    double sx = x + 0.5 - spineX;
                    double sy = y + 0.5 - spineY;
                    if (sx * sx + sy * sy < spineR * spineR) {
                        v = 500;
                    }
                }
                hu[y * n + x] = v;
            }
        }
        return hu;
    }

    /** A soft-edged round lesion inside the body (away from the edge), contrast by site. */
    private static void addLesion(SplittableRandom rng, double[] hu, int n, SiteProfile site) {
        double[] rr = site.lesionRadiusMm();
        double radius = (rr[0] + (rr[1] - rr[0]) * rng.nextDouble()) / site.pixelSpacing();
        double contrast = site.lesionContrastHu() * (0.8 + 0.4 * rng.nextDouble());
        if (site.mixedPolarity() && rng.nextBoolean()) {
            contrast = -contrast;
        }
        double lx;
        double ly;
        int tries = 0;
        do {
            lx = n * (0.3 + 0.4 * rng.nextDouble());
            ly = n * (0.3 + 0.35 * rng.nextDouble());
            tries++;
        } while (hu[(int) ly * n + (int) lx] < -50 && tries < 20);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double dx = x + 0.5 - lx;
                double dy = y + 0.5 - ly;
                double d = Math.sqrt(dx * dx + dy * dy) / radius;
                if (d < 1.3 && hu[y * n + x] > -500) {
                    // Smooth edge: full contrast inside 0.7 r, fading to zero at 1.3 r.
                    double w = d < 0.7 ? 1 : (1.3 - d) / 0.6;
                    hu[y * n + x] += contrast * w;
                }
            }
        }
    }

    /** Applies calibration and noise, then stores through the site's rescale and bit depth. */
    private static short[] store(SplittableRandom rng, double[] hu, SiteProfile site) {
        short[] out = new short[hu.length];
        int max = maxStored(site);
        int min = site.signedPixels() ? -(1 << (site.bitsStored() - 1)) : 0;
        for (int i = 0; i < hu.length; i++) {
            double measured = site.calibrationGain() * hu[i] + site.calibrationOffset() + gauss(rng) * site.noiseHu();
            long s = Math.round((measured - site.rescaleIntercept()) / site.rescaleSlope());
            out[i] = (short) Math.max(min, Math.min(max, s));
        }
        return out;
    }

    private static int maxStored(SiteProfile site) {
        return site.signedPixels() ? (1 << (site.bitsStored() - 1)) - 1 : (1 << site.bitsStored()) - 1;
    }

    /** Draws {@code text} in the top-left corner at the brightest stored value, scaled to the matrix. */
    private static void burnIn(short[] px, int n, String text, int value) {
        int scale = n >= 80 ? 2 : 1;
        int x0 = 1;
        int y0 = 1;
        int fit = (n - 2) / ((BitmapFont.WIDTH + 1) * scale);
        String t = text.length() > fit ? text.substring(0, fit) : text;
        for (int k = 0; k < t.length(); k++) {
            for (int gy = 0; gy < BitmapFont.HEIGHT * scale; gy++) {
                for (int gx = 0; gx < BitmapFont.WIDTH * scale; gx++) {
                    if (BitmapFont.pixel(t.charAt(k), gx / scale, gy / scale)) {
                        int x = x0 + k * (BitmapFont.WIDTH + 1) * scale + gx;
                        int y = y0 + gy;
                        px[y * n + x] = (short) value;
                    }
                }
            }
        }
    }

    /** A 2.25 UID from 128 random bits. */
    private static String uid(SplittableRandom rng) {
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i += 8) {
            long v = rng.nextLong();
            for (int k = 0; k < 8; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return "2.25." + new BigInteger(1, b);
    }

    private static long mix(long seed, int site, int patient) {
        long h = seed * 0x9E3779B97F4A7C15L + site * 0xC2B2AE3D27D4EB4FL + patient * 0x165667B19E3779F9L;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }

    private static double gauss(SplittableRandom rng) {
        // Box–Muller; SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(ch -> ch < 128);
    }

    private static String decimal(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(10)).stripTrailingZeros().toPlainString();
    }
}
