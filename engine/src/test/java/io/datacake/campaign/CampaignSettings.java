package io.datacake.campaign;

import java.util.SplittableRandom;

/**
 * Everything one campaign seed draws before it starts: the cluster's size, storage and membership (gossip in three
 * seeds of four, static views in the rest), the store's and the gossip's settings, the workload's size and the
 * strength of the faults. Small on purpose (3 to 9 nodes, a few hundred operations, seconds
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

    /** Where each node learns the cluster's members and their liveness. */
    enum MembershipMode
    {
        /** A fixed view of every node, always live: writes to a crashed node wait for their timeouts. */
        STATIC,
        /** The gossip membership a real node runs: scuttlebutt, phi-accrual failure detection, rejoin on restart. */
        GOSSIP
    }

    /** Seeds of which one in this many run with {@link MembershipMode#STATIC}, the rest with gossip. */
    static final int STATIC_MEMBERSHIP_EVERY = 4;

    /** Shortest gossip interval drawn. */
    static final long MIN_GOSSIP_INTERVAL_MS = 20;

    /** Longest gossip interval drawn. */
    static final long MAX_GOSSIP_INTERVAL_MS = 200;

    /** Seed endpoints of every gossiping node: nodes 1 up to this many. */
    static final int GOSSIP_SEED_NODES = 3;

    /** Smallest cluster of the default slice. */
    static final int MIN_NODES = 3;

    /** Largest cluster of the default slice. */
    static final int MAX_NODES = 9;

    /** Cluster size of the large slice. */
    static final int LARGE_NODES = 50;

    /** Seeds whose remainder by this is {@link #LARGE_SLICE_REMAINDER} run the 50-node slice. */
    static final int LARGE_SLICE_EVERY = 100;

    /** See {@link #LARGE_SLICE_EVERY}. */
    static final int LARGE_SLICE_REMAINDER = 42;

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
    final MembershipMode membershipMode;
    final long gossipIntervalMs;
    final double phiThreshold;
    final int gossipFanout;
    final int broadcastMaxEntries;

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
        // Drawn after everything above, so a seed keeps the settings it drew before membership was drawn.
        this.membershipMode = 0 == random.nextInt(STATIC_MEMBERSHIP_EVERY) ? MembershipMode.STATIC :
            MembershipMode.GOSSIP;
        this.gossipIntervalMs = MIN_GOSSIP_INTERVAL_MS +
            random.nextLong(MAX_GOSSIP_INTERVAL_MS - MIN_GOSSIP_INTERVAL_MS + 1);
        this.phiThreshold = random.nextBoolean() ? 4 : 8;
        this.gossipFanout = 1 + random.nextInt(3);
        this.broadcastMaxEntries = 1 << random.nextInt(9);
    }

    private CampaignSettings(final CampaignSettings settings, final MembershipMode membershipMode)
    {
        this.seed = settings.seed;
        this.nodeCount = settings.nodeCount;
        this.storageMode = settings.storageMode;
        this.keyspaceCount = settings.keyspaceCount;
        this.operationCount = settings.operationCount;
        this.maxOperationGapMs = settings.maxOperationGapMs;
        this.maxBatchKeys = settings.maxBatchKeys;
        this.requestTimeoutMs = settings.requestTimeoutMs;
        this.repairIntervalMs = settings.repairIntervalMs;
        this.repairMaxSegmentsPerRound = settings.repairMaxSegmentsPerRound;
        this.repairMaxEntriesPerFetch = settings.repairMaxEntriesPerFetch;
        this.treeBranchCount = settings.treeBranchCount;
        this.treeSegmentsPerBranch = settings.treeSegmentsPerBranch;
        this.faultEventCount = settings.faultEventCount;
        this.lossRate = settings.lossRate;
        this.duplicateRate = settings.duplicateRate;
        this.maxDelayMs = settings.maxDelayMs;
        this.commitFailureRate = settings.commitFailureRate;
        this.maxSyncDelayMs = settings.maxSyncDelayMs;
        this.membershipMode = membershipMode;
        this.gossipIntervalMs = settings.gossipIntervalMs;
        this.phiThreshold = settings.phiThreshold;
        this.gossipFanout = settings.gossipFanout;
        this.broadcastMaxEntries = settings.broadcastMaxEntries;
    }

    /**
     * The settings of a seed: the 50-node slice for seeds whose remainder by {@link #LARGE_SLICE_EVERY} is
     * {@link #LARGE_SLICE_REMAINDER}, the default slice otherwise.
     *
     * @param seed the campaign seed.
     * @return the settings.
     */
    static CampaignSettings forSeed(final long seed)
    {
        return Math.floorMod(seed, LARGE_SLICE_EVERY) == LARGE_SLICE_REMAINDER ? drawLarge(seed) : draw(seed);
    }

    /**
     * The same settings with another membership, e.g. to replay a seed found before gossip was drawn.
     *
     * @param membershipMode the membership to run.
     * @return new settings.
     */
    CampaignSettings withMembership(final MembershipMode membershipMode)
    {
        return new CampaignSettings(this, membershipMode);
    }

    boolean gossip()
    {
        return MembershipMode.GOSSIP == membershipMode;
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
            String.format("%.3f", commitFailureRate) + " maxSyncDelayMs=" + maxSyncDelayMs + " membership=" +
            membershipMode + (gossip() ? " gossipIntervalMs=" + gossipIntervalMs + " phi=" + phiThreshold +
            " fanout=" + gossipFanout : "") + " broadcastEntries=" + broadcastMaxEntries;
    }
}
