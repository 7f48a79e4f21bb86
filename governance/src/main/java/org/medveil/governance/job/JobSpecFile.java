package org.medveil.governance.job;

import java.util.List;

/**
 * The job spec as written in YAML, bound strictly (unknown fields and wrong types are refused by
 * {@code YamlFiles}) before {@link JobSpec} checks the values and fills in defaults. Boxed types
 * so a missing value is seen as missing, not as zero.
 */
record JobSpecFile(String name, String project, String model, String engine, Long seed, Integer rounds, Local local,
                   Strategy strategy, Integer minSites, Integer threshold, Integer roundTimeoutSeconds, String he,
                   Selection selection, List<Site> sites) {

    record Local(Integer epochs, Integer maxSteps, Integer batchSize, Double learningRate) {
    }

    record Strategy(String name, Double mu, Double serverLearningRate, Double beta1, Double beta2, Double tau) {
    }

    record Selection(List<String> modalities, List<String> bodyParts, List<String> categories, Integer maxGrade,
                     String purpose) {
    }

    record Site(String site, String dua) {
    }
}
