package org.medveil.models.torch;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.medveil.models.engine.EngineException;
import org.medveil.models.engine.TrainableModel;
import org.medveil.models.engine.TrainingEngine;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.Optimizer;

/**
 * libtorch (PyTorch's C++ core) called from Java through JavaCPP: the zoo networks built from
 * libtorch modules, and TorchScript files exported from Python. libtorch starts once per JVM on
 * first use ({@link TorchRuntime}).
 */
public final class TorchEngine implements TrainingEngine {
    public static final String NAME = "torch";

    private final Supplier<Optional<String>> startup;

    public TorchEngine() {
        this(TorchRuntime::start);
    }

    /** For tests: {@code startup} stands in for loading libtorch. */
    TorchEngine(Supplier<Optional<String>> startup) {
        this.startup = startup;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> unavailableReason() {
        return startup.get();
    }

    @Override
    public TrainableModel build(ModelSpec spec, Optimizer optimizer, long seed) {
        ready();
        return ModelSpec.TORCHSCRIPT.equals(spec.name())
                ? ScriptModel.build(spec, optimizer)
                : ZooModel.build(spec, optimizer, seed);
    }

    @Override
    public TrainableModel load(ModelSpec spec, Optimizer optimizer, Path file) {
        ready();
        return ModelSpec.TORCHSCRIPT.equals(spec.name())
                ? ScriptModel.load(spec, optimizer, file)
                : ZooModel.load(spec, optimizer, file);
    }

    private void ready() {
        startup.get().ifPresent(reason -> {
            throw new EngineException("training engine 'torch' cannot run here: " + reason);
        });
    }
}
