package io.datacake.crdt;

/**
 * Receives the highest stamp an {@link Orswot} has seen from a node through a source, without boxing.
 */
@FunctionalInterface
public interface SeenStampConsumer
{
    /**
     * @param source the source index.
     * @param nodeId the node id.
     * @param stamp  the highest packed stamp seen from that node through that source.
     */
    void accept(int source, int nodeId, long stamp);
}
