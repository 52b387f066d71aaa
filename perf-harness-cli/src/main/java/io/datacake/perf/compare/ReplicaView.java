package io.datacake.perf.compare;

/**
 * Read access to one member's replica of a {@link CompareTarget}.
 */
@FunctionalInterface
public interface ReplicaView
{
    /**
     * @param key the key.
     * @return the value this replica holds for the key, or null when it holds none.
     */
    byte[] get(long key);
}
