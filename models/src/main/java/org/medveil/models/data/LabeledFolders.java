package org.medveil.models.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads labeled images from data folders. Each folder holds DICOM files (any depth) and a label
 * sidecar {@value #LABELS} with lines {@code SOPInstanceUID,label} (an optional header line
 * starting with "sop" is skipped). Files are read in sorted path order, so loading is
 * deterministic; images without a label line are counted and left out.
 */
public final class LabeledFolders {
    public static final String LABELS = "labels.csv";

    /** What was loaded from the folders. */
    public record Loaded(List<LabeledImage> images, int unlabeled) {}

    private final DicomImageReader reader;

    public LabeledFolders(DicomImageReader reader) { this.reader = reader; }

    public Loaded load(List<Path> folders) {
        List<LabeledImage> images = new ArrayList<>();
        int unlabeled = 0;
        for (Path folder : folders) {
            Map<String, Integer> labels = readLabels(folder);
            String source = folder.toAbsolutePath().normalize().getFileName().toString();
            for (Path file : dicomFiles(folder)) {
                DicomImageReader.Decoded d = reader.read(file);
                Integer label = d.sopInstanceUid() == null ? null : labels.get(d.sopInstanceUid());
                if (label == null) {
                    unlabeled++;
                    continue;
                }
                images.add(new LabeledImage(d.sopInstanceUid(), source, reader.size(), d.pixels(), label));
            }
        }
        if (images.isEmpty()) {
            throw new DatasetException("no labeled DICOM images in " + folders.size() + " data folder(s) (" + unlabeled
                    + " unlabeled); each folder needs DICOM files and a " + LABELS + " naming their SOP Instance UIDs");
        }
        return new Loaded(List.copyOf(images), unlabeled);
    }

    /** Parses a folder's label sidecar. */
    public static Map<String, Integer> readLabels(Path folder) {
        Path csv = folder.resolve(LABELS);
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("data folder " + folder + " does not exist or is not a directory");
        }
        if (!Files.isRegularFile(csv)) {
            throw new DatasetException("no " + LABELS + " in data folder " + folder
                    + "; write one line per image: SOPInstanceUID,label");
        }
        return readLabelsFile(csv);
    }

    /**
     * Parses one label file in the sidecar format (also used by {@code medveil deid}, which
     * carries labels along under the new UIDs). Error messages name the line, never its content.
     */
    public static Map<String, Integer> readLabelsFile(Path csv) {
        Map<String, Integer> labels = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + csv + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || i == 0 && line.toLowerCase().startsWith("sop")) {
                continue;
            }
            String[] parts = line.split(",");
            if (parts.length != 2) {
                throw new DatasetException(csv + " line " + (i + 1) + ": expected 'SOPInstanceUID,label', got "
                        + parts.length + " fields");
            }
            try {
                int label = Integer.parseInt(parts[1].strip());
                if (label < 0) {
                    throw new NumberFormatException();
                }
                labels.put(parts[0].strip(), label);
            } catch (NumberFormatException e) {
                throw new DatasetException(csv + " line " + (i + 1) + ": label must be a non-negative integer");
            }
        }
        return labels;
    }

    private static List<Path> dicomFiles(Path folder) {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString().toLowerCase();
                        return !n.startsWith(".") && !n.endsWith(".csv") && !n.endsWith(".txt")
                                && !n.endsWith(".json") && !n.endsWith(".md");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list data folder " + folder + ": " + e.getMessage(), e);
        }
    }
}
