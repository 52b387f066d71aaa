package io.datacake.campaign;

import java.util.SplittableRandom;

/**
 * Everything one campaign seed draws before it starts: the cluster's size and storage, the store's settings, the
 * workload's size and the strength of the faults. Small on purpose (3 to 9 nodes, a few hundred operations, seconds
 * of virtual time), so hundreds of seeds run in the default build; a 50-node slice is drawn by {@link #drawLarge}.
 */
final class CampaignSettings
{
    /** How a node's storage behaves across a crash. */
    enum StorageMode
    {
        /** Simulated disk, every commit durable when it returns (a synced disk): a crash loses nothing acknowledged. */
        SIM_SYNCED,
        /** Simulated disk that makes commits durable up to {@link #maxSyncDelayMs} later: a crash loses the rest. */
        SIM_WRITE_BACK,
        /** The engine's in-memory storage, kept across a crash (a process crash that leaves the page cache). */
        MEMORY
    }

    /** Smallest cluster of the default slice. */
    static final int MIN_NODES = 3;

    /** Largest cluster of the default slice. */
    static final int MAX_NODES = 9;

    /** Cluster size of the large slice. */
    static final int LARGE_NODES = 50;

    final long seed;
    final int nodeCount;
    final StorageMode storageMode;
    final int keyspaceCount;
    final int operationCount;
    final long maxOperationGapMs;
    final int maxBatchKeys;
    final long requestTimeoutMs;
    final long repairIntervalMs;
    final int repairMaxSegmentsPerRound;
    final int repairMaxEntriesPerFetch;
    final int treeBranchCount;
    final int treeSegmentsPerBranch;
    final int faultEventCount;
    final double lossRate;
    final double duplicateRate;
    final long maxDelayMs;
    final double commitFailureRate;
    final long maxSyncDelayMs;

    private CampaignSettings(final long seed, final SplittableRandom random, final int nodeCount,
        final int operationCount, final int faultEventCount)
    {
        this.seed = seed;
        this.nodeCount = nodeCount;
        this.storageMode = StorageMode.values()[random.nextInt(StorageMode.values().length)];
        this.keyspaceCount = 1 + random.nextInt(3);
        this.operationCount = operationCount;
        this.maxOperationGapMs = 2 + random.nextInt(10);
        this.maxBatchKeys = 1 + random.nextInt(4);
        this.requestTimeoutMs = 100 + random.nextInt(900);
        this.repairIntervalMs = 20 + random.nextInt(130);
        this.repairMaxSegmentsPerRound = 1 + random.nextInt(64);
        this.repairMaxEntriesPerFetch = 4 + random.nextInt(125);
        // Mostly small trees (cheap to build per seed), sometimes the store's default small shape.
        final int shape = random.nextInt(6);
        this.treeBranchCount = shape < 2 ? 16 : shape < 5 ? 64 : 256;
        this.treeSegmentsPerBranch = shape < 2 ? 16 : shape < 5 ? 64 : 256;
        this.faultEventCount = faultEventCount;
        this.lossRate = random.nextDouble() * 0.2;
        this.duplicateRate = random.nextDouble() * 0.1;
        this.maxDelayMs = 1 + random.nextInt(40);
        this.commitFailureRate = StorageMode.MEMORY == storageMode ? 0 : random.nextDouble() * 0.1;
        this.maxSyncDelayMs = StorageMode.SIM_WRITE_BACK == storageMode ? 1 + random.nextInt(50) : 0;
    }

    /**
     * Settings of the default slice.
     *
     * @param seed the campaign seed.
     * @return the settings.
     */
    static CampaignSettings draw(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int nodeCount = MIN_NODES + random.nextInt(MAX_NODES - MIN_NODES + 1);
        return new CampaignSettings(seed, random, nodeCount, 100 + random.nextInt(200), 4 + random.nextInt(12));
    }

    /**
     * Settings of the large slice: {@value #LARGE_NODES} nodes, fewer operations per node.
     *
     * @param seed the campaign seed.
     * @return the settings.
     */
    static CampaignSettings drawLarge(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        return new CampaignSettings(seed, random, LARGE_NODES, 200, 12);
    }

    /**
     * Whether a crash can lose commits that were acknowledged.
     *
     * @return true for the write-back disk.
     */
    boolean crashLosesAcknowledgedCommits()
    {
        return maxSyncDelayMs > 0;
    }

    @Override
    public String toString()
    {
        return "seed=" + seed + " nodes=" + nodeCount + " storage=" + storageMode + " keyspaces=" + keyspaceCount +
            " ops=" + operationCount + " batch<=" + maxBatchKeys + " requestTimeoutMs=" + requestTimeoutMs +
            " repairIntervalMs=" + repairIntervalMs + " repairSegments=" + repairMaxSegmentsPerRound +
            " repairEntries=" + repairMaxEntriesPerFetch + " tree=" + treeBranchCount + "x" + treeSegmentsPerBranch +
            " faults=" + faultEventCount + " loss=" + String.format("%.3f", lossRate) + " dup=" +
            String.format("%.3f", duplicateRate) + " maxDelayMs=" + maxDelayMs + " commitFailure=" +
            String.format("%.3f", commitFailureRate) + " maxSyncDelayMs=" + maxSyncDelayMs;
    }
}
