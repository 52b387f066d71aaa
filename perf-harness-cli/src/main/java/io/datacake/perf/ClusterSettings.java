package io.datacake.perf;

import java.nio.file.Path;

/**
 * What an {@link EmbeddedCluster} starts.
 *
 * @param nodes            number of nodes, node ids 1..nodes.
 * @param transport        the Aeron media between them.
 * @param storage          each node's storage.
 * @param dataParentDir    existing directory in which the run's data directory is created.
 * @param maxValueBytes    longest value the storages must hold.
 * @param requestTimeoutMs how long a write waits for a replica (the store's and the RPC's request timeout).
 * @param repairIntervalMs how often each store runs an anti-entropy round.
 * @param security         whether the nodes secure their frames, under a keyring generated for the cluster.
 */
public record ClusterSettings(
    int nodes,
    TransportKind transport,
    StorageKind storage,
    Path dataParentDir,
    int maxValueBytes,
    long requestTimeoutMs,
    long repairIntervalMs,
    SecurityMode security)
{
    /**
     * Settings of a cluster whose frames are not secured.
     *
     * @param nodes            number of nodes, node ids 1..nodes.
     * @param transport        the Aeron media between them.
     * @param storage          each node's storage.
     * @param dataParentDir    existing directory in which the run's data directory is created.
     * @param maxValueBytes    longest value the storages must hold.
     * @param requestTimeoutMs how long a write waits for a replica (the store's and the RPC's request timeout).
     * @param repairIntervalMs how often each store runs an anti-entropy round.
     */
    public ClusterSettings(
        final int nodes,
        final TransportKind transport,
        final StorageKind storage,
        final Path dataParentDir,
        final int maxValueBytes,
        final long requestTimeoutMs,
        final long repairIntervalMs)
    {
        this(nodes, transport, storage, dataParentDir, maxValueBytes, requestTimeoutMs, repairIntervalMs,
            SecurityMode.OFF);
    }
}
