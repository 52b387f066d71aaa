package io.datacake.crdt;

/**
 * Receives ORSWOT entries one at a time without boxing: a key and the full timestamp of its live entry or tombstone.
 */
@FunctionalInterface
public interface EntryConsumer
{
    /**
     * @param key    the document id.
     * @param stamp  the packed HLC stamp (see {@link io.datacake.clock.HlcTimestamp}).
     * @param nodeId the node id that made the stamp.
     */
    void accept(long key, long stamp, int nodeId);
}
