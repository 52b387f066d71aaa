package io.datacake.crdt;

/**
 * A per-node bound on which tombstones may be purged: typically the lowest {@link Orswot#safeStamp(int)} over every
 * replica of a keyspace, gathered by the replication layer.
 */
@FunctionalInterface
public interface SafeStampBound
{
    /**
     * @param nodeId node id.
     * @return the packed stamp before which that node's tombstones may be purged; 0 means none may.
     */
    long safeStamp(int nodeId);
}
