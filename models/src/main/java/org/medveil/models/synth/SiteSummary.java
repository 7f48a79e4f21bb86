package org.medveil.models.synth;

import java.nio.file.Path;

/** What was written for one site. */
public record SiteSummary(String site, Path folder, int images, int positives, int burnedIn, int chineseNames) {}
