package io.datacake.storage;

/**
 * A copied metadata entry for the convenience API ({@link Storage#metadata(String)}): document id, timestamp of
 * its last write, and whether that write was a delete.
 *
 * @param key       document id.
 * @param stamp     packed HLC stamp of the last write.
 * @param nodeId    node id of that timestamp.
 * @param tombstone true if the last write was a delete.
 */
public record Metadata(long key, long stamp, int nodeId, boolean tombstone)
{
}
