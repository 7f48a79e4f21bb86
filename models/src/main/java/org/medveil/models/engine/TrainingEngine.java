package org.medveil.models.engine;

import java.nio.file.Path;
import java.util.Optional;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;

/**
 * A local training engine (DL4J, libtorch): builds {@link TrainableModel}s from a model spec.
 * A job names one engine and every site trains with it, because parameter vectors of different
 * engines are not interchangeable. Engines are found with {@link java.util.ServiceLoader}
 * ({@link Engines}), so a build without an engine's module simply does not offer it.
 */
public interface TrainingEngine {

    /** The name jobs and {@code --engine} use, e.g. {@code dl4j}. */
    String name();

    /**
     * Why this engine cannot run on this machine (e.g. glibc too old), or empty when it can.
     * Checked before building anything so a site can decline a job with the reason.
     */
    Optional<String> unavailableReason();

    /** Builds the model {@code spec} names, with weights drawn from {@code seed}. */
    TrainableModel build(ModelSpec spec, Optimizer optimizer, long seed);

    /** Reads a model file {@link TrainableModel#save} wrote, for the same spec. */
    TrainableModel load(ModelSpec spec, Optimizer optimizer, Path file);
}
