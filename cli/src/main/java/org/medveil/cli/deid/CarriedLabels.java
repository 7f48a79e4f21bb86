package org.medveil.cli.deid;

import org.medveil.models.data.DatasetException;
import org.medveil.models.data.LabeledFolders;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A label sidecar that follows de-identification. {@code medveil train} joins labels to images by
 * SOP Instance UID and {@code deid} replaces that UID, so the rows are re-keyed to the new UIDs of
 * the objects deid wrote. The output holds only new UIDs and integer labels, sorted by new UID (the
 * input's row order could hint at the originals); a row whose object was not de-identified
 * (refused, unreadable, not in IN) is dropped and counted. Old UIDs stay in memory only and are
 * never written or printed.
 */
final class CarriedLabels {

    /** The header {@code medveil synth} writes; {@code train} skips it. */
    static final String HEADER = "sop_instance_uid,label";

    private final Path source;
    private final Map<String, Integer> byOldUid;
    private final Map<String, String> newUidOf = new ConcurrentHashMap<>();

    private CarriedLabels(Path source, Map<String, Integer> byOldUid) {
        this.source = source;
        this.byOldUid = byOldUid;
    }

    /** Reads a label file in train's format; throws DatasetException naming the bad line. */
    static CarriedLabels read(Path csv) {
        return new CarriedLabels(csv, LabeledFolders.readLabelsFile(csv));
    }

    Path source() {
        return source;
    }

    /** Records that the object with {@code oldUid} was written (or already present) under {@code newUid}. */
    void deidentified(String oldUid, String newUid) {
        if (oldUid != null && newUid != null) {
            newUidOf.put(oldUid, newUid);
        }
    }

    /** What {@link #writeTo} did; counts only, never UIDs. */
    record Written(Path file, int rows, int dropped, int unlabeled, int alreadyThere) {
        String describe() {
            StringBuilder sb = new StringBuilder("labels: ").append(rows)
                    .append(" row(s) re-keyed to the new SOP Instance UIDs -> ").append(file)
                    .append(dropped == 0 ? " (none dropped" : " (" + dropped + " dropped: their objects were not de-identified");
            if (unlabeled > 0) {
                sb.append("; ").append(unlabeled).append(" de-identified object(s) have no label row");
            }
            if (alreadyThere > 0) {
                sb.append("; ").append(alreadyThere).append(" row(s) of an earlier run kept");
            }
            return sb.append(')').toString();
        }
    }

    /**
     * Writes OUT/labels.csv. An existing one (an earlier run into OUT) is merged with, never
     * silently replaced: its rows are kept, ours added; a UID it labels differently is refused and
     * the file is left as it was. The new file is written beside it and moved into place.
     */
    Written writeTo(Path outDir) {
        Map<String, Integer> rows = new TreeMap<>();
        int dropped = 0;
        for (Map.Entry<String, Integer> e : byOldUid.entrySet()) {
            String newUid = newUidOf.get(e.getKey());
            if (newUid == null) {
                dropped++;
            } else {
                rows.put(newUid, e.getValue());
            }
        }
        int unlabeled = (int) newUidOf.keySet().stream().filter(old -> !byOldUid.containsKey(old)).count();
        Path target = outDir.resolve(LabeledFolders.LABELS);
        Map<String, Integer> merged = new TreeMap<>(rows);
        int kept = 0;
        if (Files.exists(target)) {
            Map<String, Integer> existing;
            try {
                existing = LabeledFolders.readLabelsFile(target);
            } catch (DatasetException e) {
                throw new DeidCliException("cannot merge the labels into " + target + ", which an earlier run or someone "
                        + "else left there: " + e.getMessage() + "; move it away and run again");
            }
            int conflicts = 0;
            for (Map.Entry<String, Integer> e : existing.entrySet()) {
                Integer ours = merged.putIfAbsent(e.getKey(), e.getValue());
                if (ours == null) {
                    kept++;
                } else if (!ours.equals(e.getValue())) {
                    conflicts++;
                }
            }
            if (conflicts > 0) {
                throw new DeidCliException(target + " already gives " + conflicts + " of these objects another label than "
                        + source + "; it was left as it was: check which labels are right, then move one file away "
                        + "and run again");
            }
        }
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        merged.forEach((uid, label) -> csv.append(uid).append(',').append(label).append('\n'));
        try {
            Files.createDirectories(outDir);
            Path tmp = Files.createTempFile(outDir, ".labels-", ".part");
            try {
                Files.writeString(tmp, csv, StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new DeidCliException("cannot write " + target + ": " + e.getMessage() + "; check that OUT is writable", e);
        }
        return new Written(target, rows.size(), dropped, unlabeled, kept);
    }
}
