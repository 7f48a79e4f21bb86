package org.medveil.models.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.parameter_iterator;
import org.bytedeco.pytorch.parameter_list;
import org.medveil.models.engine.EngineException;
import org.medveil.models.engine.TorchScriptFile;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelSpecException;
import org.medveil.models.spec.Optimizer;

/**
 * A TorchScript module exported from Python, trained from Java. Its output is taken as logits
 * (cross-entropy); input size and classes come from the spec (defaults 64 and 2). The initial
 * parameters are the file's own; a seed only orders the batches. Model files are TorchScript
 * archives (Python can {@code torch.jit.load} them).
 */
final class ScriptModel extends TorchModel {
    static final Set<String> KEYS = Set.of(TorchScriptFile.FILE, TorchScriptFile.SHA256, "input", "classes", "l2");

    private final JitModule module;

    private ScriptModel(ModelSpec spec, int input, int classes, double l2, Optimizer optimizer, JitModule module) {
        super(spec, input, classes, l2, optimizer);
        this.module = module;
        init(parametersOf(module));
    }

    /** Loads the spec's file from its verified bytes (digest checked when the spec names one). */
    static ScriptModel build(ModelSpec spec, Optimizer optimizer) {
        for (String key : spec.params().keySet()) {
            if (!KEYS.contains(key)) {
                throw new ModelSpecException("model 'torchscript' has no key '" + key + "'; allowed: "
                        + new TreeSet<>(KEYS));
            }
        }
        int input = spec.intParam("input", 64, 8, 512);
        int classes = spec.intParam("classes", 2, 2, 1000);
        // The file's author chose its regularization; no extra L2 unless the spec asks for it.
        double l2 = spec.doubleParam("l2", 0, 0, 1);
        byte[] bytes = TorchScriptFile.verifiedBytes(spec);
        JitModule module = loadBytes(bytes, spec);
        try {
            return new ScriptModel(spec, input, classes, l2, optimizer, module);
        } catch (RuntimeException e) {
            module.close();
            throw e;
        }
    }

    /**
     * The spec's verified module with the parameters of {@code file}, a module {@link #save} wrote.
     * The code that runs stays the verified file's; only the weights come from {@code file}.
     */
    static ScriptModel load(ModelSpec spec, Optimizer optimizer, Path file) {
        ScriptModel m = build(spec, optimizer);
        JitModule saved;
        try {
            saved = torch.load(file.toString());
        } catch (RuntimeException e) {
            m.close();
            throw new EngineException("cannot read TorchScript model file " + file + ": " + ZooModel.firstLine(e)
                    + "; it must be a file the torch engine saved for model " + spec, e);
        }
        try (NoGradGuard g = new NoGradGuard()) {
            List<Tensor> from = parametersOf(saved);
            List<Tensor> to = m.parameterTensors();
            boolean same = from.size() == to.size();
            for (int i = 0; same && i < from.size(); i++) {
                same = Arrays.equals(from.get(i).sizes().vec().get(), to.get(i).sizes().vec().get());
            }
            if (!same) {
                m.close();
                throw new EngineException("model file " + file + " does not hold the parameters of model " + spec
                        + "; load it with the spec it was trained with");
            }
            for (int i = 0; i < from.size(); i++) {
                to.get(i).copy_(from.get(i));
            }
        } finally {
            saved.close();
        }
        return m;
    }

    /**
     * jit::load from memory is not reachable through JavaCPP (it takes a C++ istream), so the
     * verified bytes go to a file in a fresh owner-only folder, which is deleted right after.
     */
    private static JitModule loadBytes(byte[] bytes, ModelSpec spec) {
        Path dir = null;
        Path file = null;
        try {
            dir = Files.createTempDirectory("medveil-torchscript",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            file = dir.resolve("model.pt");
            Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return torch.load(file.toString());
        } catch (IOException e) {
            throw new EngineException("cannot stage TorchScript model " + spec + " for loading: " + e.getMessage()
                    + "; check that the temp folder (java.io.tmpdir) is writable", e);
        } catch (RuntimeException e) {
            throw new EngineException("cannot load TorchScript model " + spec + ": " + ZooModel.firstLine(e)
                    + "; export it with torch.jit.script(...).save(...) from PyTorch", e);
        } finally {
            try {
                if (file != null) {
                    Files.deleteIfExists(file);
                }
                if (dir != null) {
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                // best effort: the folder is private to this user and in the temp area
            }
        }
    }

    private static List<Tensor> parametersOf(JitModule module) {
        List<Tensor> out = new ArrayList<>();
        parameter_list list = module.parameters(true);
        parameter_iterator end = list.end();
        for (parameter_iterator it = list.begin(); it.notEquals(end); it.increment()) {
            out.add(new Tensor(it.multiply()));
        }
        return out;
    }

    @Override
    Tensor forward(Tensor images) {
        IValue out = module.forward(new IValueVector(new IValue(images)));
        if (!out.isTensor()) {
            throw new EngineException("model " + spec() + ": forward() must return one tensor of logits [batch, classes]");
        }
        return out.toTensor();
    }

    @Override
    void training(boolean on) {
        module.train(on);
    }

    @Override
    void saveTo(Path file) {
        module.save(file.toString());
    }

    @Override
    void release() {
        module.close();
    }
}
