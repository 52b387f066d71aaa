package io.datacake.membership;

/**
 * Receives the entries of a {@link NodeState} in version order, live keys and tombstones alike.
 */
@FunctionalInterface
public interface EntryVisitor
{
    /**
     * @param key       the key.
     * @param value     the value; empty for a tombstone. Must not be modified or kept.
     * @param version   the version the owning node gave this write or deletion.
     * @param tombstone true if the key was deleted at this version.
     */
    void onEntry(String key, byte[] value, long version, boolean tombstone);
}
