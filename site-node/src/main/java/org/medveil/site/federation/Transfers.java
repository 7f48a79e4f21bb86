package org.medveil.site.federation;

import java.util.Iterator;

/**
 * A site's view of the coordinator's named bulk objects, part by part (one part = one encoded
 * ciphertext chunk or one chunk of a plain vector). The integrator maps it onto the chunked
 * Transfer RPCs; tests share one in-memory map with the coordinator.
 */
public interface Transfers {

    /** Uploads an object; {@code parts} may be produced lazily and is read once, in order. Returns when stored. */
    void put(String name, Iterable<byte[]> parts);

    /** Downloads an object's parts in order. */
    Iterator<byte[]> get(String name);
}
