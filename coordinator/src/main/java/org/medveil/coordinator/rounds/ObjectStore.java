package org.medveil.coordinator.rounds;

import java.util.Iterator;

/**
 * Named bulk objects at the coordinator, part by part: global models, sites' encrypted updates,
 * aggregates, challenge responses, decryption shares. A part is one encoded ciphertext chunk (or
 * one chunk of a plain vector), so nothing ever needs a whole update in one array. The integrator
 * backs it with files that the Transfer service writes and reads; tests keep it in memory.
 */
public interface ObjectStore {

    /** Stores (or replaces) an object; {@code parts} may be produced lazily and is read once, in order. */
    void put(String name, Iterable<byte[]> parts);

    /** Reads an object's parts in order; throws {@link java.util.NoSuchElementException} naming it when it is absent. */
    Iterator<byte[]> get(String name);

    /** Whether the object exists (an upload is complete). */
    boolean contains(String name);
}
