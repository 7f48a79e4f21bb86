package org.medveil.models.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelZoo;
import org.medveil.models.spec.Network;
import org.medveil.models.spec.Optimizer;

/**
 * DeepLearning4J: the default engine. Zoo models only ({@link ModelZoo}); parameters are in
 * DL4J's own flattening order, which the spec fixes. Model files are DL4J's zip format.
 */
public final class Dl4jEngine implements TrainingEngine {
    public static final String NAME = "dl4j";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    @Override
    public Network build(ModelSpec spec, Optimizer optimizer, long seed) {
        if (ModelSpec.TORCHSCRIPT.equals(spec.name())) {
            throw new EngineException("model " + spec + " is a TorchScript file, which only the torch engine trains;"
                    + " use --engine torch (or engine: torch in the job)");
        }
        return ModelZoo.build(spec, optimizer, seed);
    }

    @Override
    public Network load(ModelSpec spec, Optimizer optimizer, Path file) {
        Network net = build(spec, optimizer, 0);
        ComputationGraph stored;
        try {
            stored = ModelSerializer.restoreComputationGraph(file.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new EngineException("cannot read DL4J model file " + file + ": " + e.getMessage()
                    + "; it must be a file this engine saved", e);
        }
        net.setParameters(stored.params().toFloatVector());
        return net;
    }
}
