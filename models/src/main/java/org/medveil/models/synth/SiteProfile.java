package org.medveil.models.synth;

/**
 * How one synthetic site's scanner and population look. Sites differ the way real ones do, so
 * that a model trained at one site alone generalizes poorly to the others:
 *
 * @param name               folder name, e.g. "site-1"
 * @param institution        Institution Name written into headers (fictitious)
 * @param chineseInstitution whether the institution name is written in Chinese (needs GB18030)
 * @param manufacturer       scanner manufacturer (fictitious)
 * @param matrix             rows = columns of the stored image (resolution)
 * @param fieldOfViewMm      reconstruction field of view; pixel spacing = fov / matrix
 * @param rescaleSlope       Rescale Slope written and used to store values
 * @param rescaleIntercept   Rescale Intercept written and used to store values
 * @param signedPixels       Pixel Representation 1 (two's complement) or 0
 * @param bitsStored         Bits Stored (of 16 allocated)
 * @param calibrationGain    scanner miscalibration: measured HU = gain·true HU + offset
 * @param calibrationOffset  see calibrationGain
 * @param noiseHu            Gaussian noise standard deviation in HU
 * @param positiveFraction   share of patients with a lesion (class balance)
 * @param lesionContrastHu   lesion HU relative to tissue; its sign is the lesion's polarity
 * @param mixedPolarity      if true, each lesion's sign is random (|contrast| kept)
 * @param lesionRadiusMm     lesion radius range [min, max] in mm
 * @param burnedInFraction   share of images with burned-in text (Burned In Annotation = YES)
 * @param chineseNameFraction share of patients with Chinese names (written with GB18030)
 */
public record SiteProfile(String name, String institution, boolean chineseInstitution, String manufacturer,
                          int matrix, double fieldOfViewMm, double rescaleSlope, double rescaleIntercept,
                          boolean signedPixels, int bitsStored, double calibrationGain, double calibrationOffset,
                          double noiseHu, double positiveFraction, double lesionContrastHu, boolean mixedPolarity,
                          double[] lesionRadiusMm, double burnedInFraction, double chineseNameFraction) {

    /** Pixel spacing in mm (square pixels). */
    public double pixelSpacing() { return fieldOfViewMm / matrix; }

    /**
     * The profile of site {@code index} (0-based). The first three are hand-made to differ in every
     * respect; later sites cycle through them with shifted calibration, noise and balance.
     * Profiles do not depend on the seed, so training and test sets drawn with different seeds
     * come from the same sites.
     */
    public static SiteProfile standard(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("site index must be >= 0, got " + index);
        }
        String name = "site-" + (index + 1);
        SiteProfile base = switch (index % 3) {
            // Contrast-enhanced protocol: bright lesions, balanced classes, low noise, fine matrix.
            case 0 -> new SiteProfile(name, "东湖示范医院", true, "Acme Medical", 64, 320, 1, -1024,
                    false, 12, 1.0, 0, 12, 0.5, 120, false, new double[] {20, 32}, 0.3, 0.8);
            // Non-contrast, older scanner: dark lesions, few positives, noisy, coarse matrix, HU stored signed, +40 HU drift.
            case 1 -> new SiteProfile(name, "Northfield General Hospital", false, "Globex Imaging", 48, 340, 1, 0,
                    true, 16, 1.0, 40, 25, 0.2, -100, false, new double[] {22, 36}, 0.25, 0.3);
            // Mixed findings, subtle: either polarity, many positives, high-resolution matrix, -30 HU drift.
            default -> new SiteProfile(name, "西山联合医院", true, "Initech Healthcare", 80, 300, 0.5, -1024,
                    false, 16, 1.05, -30, 18, 0.7, 80, true, new double[] {18, 30}, 0.4, 0.5);
        };
        int round = index / 3;
        if (round == 0) {
            return base;
        }
        // Later sites: same family, different calibration, noise and balance.
        return new SiteProfile(name, base.institution + " " + (round + 1), base.chineseInstitution, base.manufacturer,
                base.matrix, base.fieldOfViewMm, base.rescaleSlope, base.rescaleIntercept, base.signedPixels,
                base.bitsStored, base.calibrationGain, base.calibrationOffset + 15 * round, base.noiseHu + 4 * round,
                Math.min(0.85, Math.max(0.15, base.positiveFraction + (round % 2 == 1 ? -0.1 : 0.1))),
                base.lesionContrastHu, base.mixedPolarity, base.lesionRadiusMm, base.burnedInFraction,
                base.chineseNameFraction);
    }
}
