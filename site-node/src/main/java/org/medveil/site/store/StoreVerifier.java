package org.medveil.site.store;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks the whole store against its index (REQ-STO-2): every active object's file is present
 * (else <em>missing</em>), decrypts with its data key and matches its digest (else
 * <em>altered</em>); every file under {@code objects/} belongs to an active object (else
 * <em>extra</em>); every dataset's stored Merkle root equals the root recomputed from the
 * digests (else the index was edited). Archived objects are checked only through the root.
 *
 * <p>Roots are kept lazily: a put or destroy only marks its dataset's root stale, and
 * {@link #verify} recomputes stale roots before comparing. An edited index digest is therefore
 * caught only when no put or destroy touched its dataset between the last recomputation (a
 * verify or backup) and the edit.
 */
public final class StoreVerifier {

    /** One problem: the object id (or null for an unrecognisable file), its path, and why. */
    public record Finding(String id, Path path, String reason) {
    }

    /** The result; {@link #ok()} when nothing was found. */
    public record Report(int checked, List<Finding> altered, List<Finding> missing, List<Finding> extra,
            Map<String, String> roots, List<String> rootMismatches) {

        public boolean ok() {
            return altered.isEmpty() && missing.isEmpty() && extra.isEmpty() && rootMismatches.isEmpty();
        }

        /** One line per problem, for operators. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            altered.forEach(f -> out.add("altered: object " + f.id() + " (" + f.path() + "): " + f.reason()));
            missing.forEach(f -> out.add("missing: object " + f.id() + " (" + f.path() + ")"));
            extra.forEach(f -> out.add("extra: " + (f.id() == null ? "file" : "object file " + f.id())
                    + " " + f.path() + " is not in the index"));
            rootMismatches.forEach(d -> out.add("dataset root: " + d));
            return out;
        }
    }

    private final ObjectStore store;

    public StoreVerifier(ObjectStore store) {
        this.store = store;
    }

    public Report verify() {
        Map<String, String> state = new HashMap<>();
        Map<String, String> digest = new HashMap<>();
        Map<String, List<String>> byDataset = new TreeMap<>();
        Map<String, String> storedRoots = new HashMap<>();
        // one index transaction: stale roots (marked by puts and destroys) are recomputed first, so
        // the comparison below can only find edits made since the last recomputation of a root
        store.index().transaction(c -> {
            ObjectStore.refreshStaleRoots(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, state, digest, dataset FROM objects");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    state.put(rs.getString(1), rs.getString(2));
                    digest.put(rs.getString(1), rs.getString(3));
                    if (!"destroyed".equals(rs.getString(2))) {
                        byDataset.computeIfAbsent(rs.getString(4), k -> new ArrayList<>()).add(rs.getString(3));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT dataset, root FROM dataset_roots");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    storedRoots.put(rs.getString(1), rs.getString(2));
                }
            }
            return null;
        });

        List<Finding> altered = new ArrayList<>();
        List<Finding> missing = new ArrayList<>();
        List<Finding> extra = new ArrayList<>();
        Set<String> files = store.fileIds();
        int checked = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(state).entrySet()) {
            String id = e.getKey();
            if (!"active".equals(e.getValue())) {
                continue;
            }
            checked++;
            Path p = store.pathOf(id);
            if (!files.contains(id)) {
                missing.add(new Finding(id, p, "file missing"));
                continue;
            }
            try {
                byte[] plain = store.decrypt(id);
                String d = HexFormat.of().formatHex(MerkleTree.sha256().digest(plain));
                if (!d.equals(digest.get(id))) {
                    altered.add(new Finding(id, p, "content digest does not match the index"));
                }
            } catch (ObjectIntegrityException ex) {
                altered.add(new Finding(id, p, ex.getMessage()));
            } catch (StoreException ex) {
                altered.add(new Finding(id, p, "cannot be decrypted: " + ex.getMessage()));
            }
        }
        for (Path p : store.objectFiles()) {
            String id = store.idOf(p);
            if (id == null || !"active".equals(state.get(id))) {
                extra.add(new Finding(id, p, "not in the index"));
            }
        }
        Map<String, String> roots = new TreeMap<>();
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byDataset.entrySet()) {
            String root = MerkleTree.root(e.getValue());
            roots.put(e.getKey(), root);
            String stored = storedRoots.get(e.getKey());
            if (!root.equals(stored)) {
                mismatches.add(e.getKey() + ": stored root " + stored + " but the index digests give " + root
                        + " (index rows were edited)");
            }
        }
        for (String ds : storedRoots.keySet()) {
            if (!byDataset.containsKey(ds) && !MerkleTree.root(List.of()).equals(storedRoots.get(ds))) {
                mismatches.add(ds + ": stored root " + storedRoots.get(ds) + " but the dataset has no objects");
            }
        }
        return new Report(checked, altered, missing, extra, roots, mismatches);
    }
}
