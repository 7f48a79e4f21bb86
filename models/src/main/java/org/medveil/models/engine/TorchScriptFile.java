package org.medveil.models.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.medveil.models.spec.ModelSpec;
import org.medveil.models.spec.ModelSpecException;

/**
 * The file behind a {@code torchscript:} spec. A scripted module is code, so a site runs only a
 * file its own IT placed in its models folder, and only when its SHA-256 equals the digest the
 * signed job names: the coordinator cannot send code, and a researcher cannot swap the file
 * after sites agreed to the job.
 */
public final class TorchScriptFile {
    public static final String FILE = "file";
    public static final String SHA256 = "sha256";

    private TorchScriptFile() {}

    /**
     * The spec with {@code sha256} set to the file's digest (the researcher's side and
     * {@code medveil train}); a relative {@code file} is read against {@code base}. A digest
     * already in the spec must match.
     */
    public static ModelSpec pinned(ModelSpec spec, Path base) {
        Path file = base.resolve(fileOf(spec));
        String digest = sha256(read(file, spec));
        String stated = spec.params().get(SHA256);
        if (stated != null && !stated.equalsIgnoreCase(digest)) {
            throw new ModelSpecException("model file " + file + " has SHA-256 " + digest + " but the spec names "
                    + stated + "; use the file the spec was written for, or drop sha256= to take this one");
        }
        return spec.with(SHA256, digest);
    }

    /**
     * A site's view of a job's TorchScript model: {@code file} must be a plain file name, found in
     * {@code modelsDir}, and the job must name its digest. Returns the spec pointing at that file.
     */
    public static ModelSpec locatedIn(ModelSpec spec, Path modelsDir) {
        String name = fileOf(spec);
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new ModelSpecException("model " + spec + ": file must be a plain file name in the site's models"
                    + " folder, not a path");
        }
        if (spec.params().get(SHA256) == null) {
            throw new ModelSpecException("model " + spec + " names no sha256; a site runs a TorchScript file only"
                    + " when the signed job pins its digest");
        }
        if (modelsDir == null) {
            throw new ModelSpecException("model " + spec + " is a TorchScript file but this site has no models"
                    + " folder configured (training.modelsDir); place approved .pt files there");
        }
        Path file = modelsDir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new ModelSpecException("TorchScript file " + name + " is not in this site's models folder; the"
                    + " site's IT places the files it approves there (training.modelsDir)");
        }
        return spec.with(FILE, file.toString());
    }

    /**
     * The file's bytes, checked against the spec's {@code sha256} when it names one. Engines load
     * from these bytes, never from the path again, so a file replaced after the check is not run.
     */
    public static byte[] verifiedBytes(ModelSpec spec) {
        Path file = Path.of(fileOf(spec));
        byte[] bytes = read(file, spec);
        String stated = spec.params().get(SHA256);
        if (stated != null) {
            String actual = sha256(bytes);
            if (!actual.equalsIgnoreCase(stated)) {
                throw new ModelSpecException("model file " + file.getFileName() + " has SHA-256 " + actual
                        + " but the job names " + stated + "; refusing to run it. Ask the researcher for the"
                        + " file the job was signed for");
            }
        }
        return bytes;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static String fileOf(ModelSpec spec) {
        if (!ModelSpec.TORCHSCRIPT.equals(spec.name())) {
            throw new ModelSpecException("model " + spec + " is not a TorchScript spec");
        }
        String f = spec.params().get(FILE);
        if (f == null || f.isBlank()) {
            throw new ModelSpecException("model " + spec + " names no file; write torchscript:FILE.pt");
        }
        return f;
    }

    private static byte[] read(Path file, ModelSpec spec) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelSpecException("TorchScript model file " + file + " (model " + spec + ") does not exist");
        } catch (IOException e) {
            throw new ModelSpecException("cannot read TorchScript model file " + file + ": " + e.getMessage());
        }
    }
}
