package io.datacake.storage;

/**
 * Receives one metadata entry (live document or tombstone) of a keyspace; see
 * {@link ReadTransaction#forEachMetadata(String, MetadataHandler)}.
 */
@FunctionalInterface
public interface MetadataHandler
{
    /**
     * @param key       document id.
     * @param stamp     packed HLC stamp of the last write (see {@code io.datacake.clock.HlcTimestamp}).
     * @param nodeId    node id of that write's timestamp.
     * @param tombstone true if the last write was a delete.
     */
    void onMetadata(long key, long stamp, int nodeId, boolean tombstone);
}
