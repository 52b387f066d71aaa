package io.datacake.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link MembershipComponent}, with named defaults. Setters return {@code this}; {@link #conclude()}
 * validates everything that can be checked without the node (the component calls it when it starts), and the
 * component checks the endpoints against the transport when it starts.
 * <p>
 * The failure-detector and grace-period defaults are those of the chitchat gossip library, so a cluster behaves as
 * operators of that library expect: one gossip round a second, a sampling window of 1,000 samples, intervals above
 * 10 s ignored, dead members forgotten after 24 hours, tombstones kept for 2 hours. Two defaults differ. Before any
 * sample the detector expects one gossip interval between heartbeats, not a fixed 5 s: the detector weighs that prior
 * as several samples, so a 5 s prior at a sub-second gossip interval kept the mean interval, and with it the time to
 * detect a crash, several times too high for the first minutes of every member. And the phi threshold is 4, not 8
 * ({@link PhiAccrualDetector#DEFAULT_PHI_THRESHOLD} says why); set 8 to detect as chitchat does.
 */
public final class MembershipContext
{
    /** Default data centre. */
    public static final String DEFAULT_DATA_CENTRE = "default";

    /** Default time between gossip rounds. */
    public static final long DEFAULT_GOSSIP_INTERVAL_MS = 1_000;

    /** Default time a SYN may wait for its SYN_ACK before it counts against this node's health. */
    public static final long DEFAULT_SYN_TIMEOUT_MS = 2_000;

    /**
     * Default time after start a seed that neither answered nor is known through another member keeps the view
     * incomplete: 2 minutes.
     */
    public static final long DEFAULT_SEED_WAIT_MS = 2L * 60 * 1000;

    /** Default gap between two duty-cycle turns that counts as a stall of the node thread. */
    public static final long DEFAULT_STALL_THRESHOLD_MS = 1_000;

    /** Default tombstone grace period: 2 hours. */
    public static final long DEFAULT_TOMBSTONE_GRACE_PERIOD_MS = 2L * 60 * 60 * 1000;

    /** Default cap on one gossip frame; the transport's frame may lower it. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

    /** Smallest usable gossip frame: the codec's header, a digest of a few members and one small delta. */
    public static final int MIN_FRAME_BYTES = 512;

    /** Default bound on the peers whose reply endpoint is kept resolved. */
    public static final int DEFAULT_MAX_CACHED_PEERS = 4_096;

    /** Most seed endpoints a node accepts. */
    public static final int MAX_SEEDS = 64;

    /** Longest endpoint string, in bytes, carried in a gossip message. */
    public static final int MAX_ENDPOINT_LENGTH = 1_024;

    /** Initial interval value that asks for the default: the gossip interval. */
    public static final long DERIVED_INITIAL_INTERVAL_MS = 0;

    /** Generation value that asks for the default: start time and incarnation combined. */
    public static final long DERIVED_GENERATION = 0;

    private String dataCentre = DEFAULT_DATA_CENTRE;
    private String publicEndpoint;
    private final List<String> seeds = new ArrayList<>();
    private boolean bootstrap;
    private long gossipIntervalMs = DEFAULT_GOSSIP_INTERVAL_MS;
    private int liveFanout = GossipTargets.DEFAULT_LIVE_FANOUT;
    private double phiThreshold = PhiAccrualDetector.DEFAULT_PHI_THRESHOLD;
    private int samplingWindow = PhiAccrualDetector.DEFAULT_SAMPLING_WINDOW;
    private long maxIntervalMs = PhiAccrualDetector.DEFAULT_MAX_INTERVAL_MS;
    private long initialIntervalMs = DERIVED_INITIAL_INTERVAL_MS;
    private long deadGracePeriodMs = FailureDetector.DEFAULT_DEAD_GRACE_PERIOD_MS;
    private long tombstoneGracePeriodMs = DEFAULT_TOMBSTONE_GRACE_PERIOD_MS;
    private int localHealthMaxScore = LocalHealth.DEFAULT_MAX_SCORE;
    private long synTimeoutMs = DEFAULT_SYN_TIMEOUT_MS;
    private long seedWaitMs = DEFAULT_SEED_WAIT_MS;
    private long stallThresholdMs = DEFAULT_STALL_THRESHOLD_MS;
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private int maxCachedPeers = DEFAULT_MAX_CACHED_PEERS;
    private long generation = DERIVED_GENERATION;
    private MembershipListener listener = MembershipListener.NO_OP;

    /**
     * Check the settings.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first setting out of range.
     * @throws IllegalStateException    if the node has no seeds and is not marked as the first node.
     */
    public MembershipContext conclude()
    {
        requireText(dataCentre, "dataCentre");
        if (null != publicEndpoint)
        {
            requireText(publicEndpoint, "publicEndpoint");
        }
        if (seeds.isEmpty() && !bootstrap)
        {
            throw new IllegalStateException("membership has no seed endpoints: add seeds(...) to join a cluster, or " +
                "set bootstrap(true) on the first node of a new cluster");
        }
        if (seeds.size() > MAX_SEEDS)
        {
            throw new IllegalArgumentException("at most " + MAX_SEEDS + " seeds (MAX_SEEDS), got " + seeds.size());
        }
        positive(gossipIntervalMs, "gossipIntervalMs");
        positive(synTimeoutMs, "synTimeoutMs");
        positive(seedWaitMs, "seedWaitMs");
        positive(stallThresholdMs, "stallThresholdMs");
        positive(tombstoneGracePeriodMs, "tombstoneGracePeriodMs");
        if (liveFanout < 1)
        {
            throw new IllegalArgumentException("liveFanout must be >= 1, got " + liveFanout);
        }
        if (localHealthMaxScore < 0)
        {
            throw new IllegalArgumentException("localHealthMaxScore must be >= 0 (0 disables), got " +
                localHealthMaxScore);
        }
        if (maxFrameBytes < MIN_FRAME_BYTES)
        {
            throw new IllegalArgumentException("maxFrameBytes must be >= " + MIN_FRAME_BYTES + ", got " +
                maxFrameBytes);
        }
        if (maxCachedPeers < 1)
        {
            throw new IllegalArgumentException("maxCachedPeers must be >= 1, got " + maxCachedPeers);
        }
        if (generation < 0)
        {
            throw new IllegalArgumentException("generation must be > 0, or 0 for the derived default, got " +
                generation);
        }
        new FailureDetector(phiThreshold, samplingWindow, maxIntervalMs, initialIntervalMs(), deadGracePeriodMs);
        return this;
    }

    private static void requireText(final String value, final String name)
    {
        if (null == value || value.isEmpty())
        {
            throw new IllegalArgumentException(name + " must be a non-empty string");
        }
    }

    private static void positive(final long value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    /**
     * @param dataCentre this node's data centre, published to peers.
     * @return this.
     */
    public MembershipContext dataCentre(final String dataCentre)
    {
        this.dataCentre = dataCentre;
        return this;
    }

    /**
     * @return this node's data centre.
     */
    public String dataCentre()
    {
        return dataCentre;
    }

    /**
     * @param publicEndpoint the endpoint peers use to reach this node, published to them; null for the transport's
     *                       local endpoint.
     * @return this.
     */
    public MembershipContext publicEndpoint(final String publicEndpoint)
    {
        this.publicEndpoint = publicEndpoint;
        return this;
    }

    /**
     * @return the public endpoint, or null for the transport's local endpoint.
     */
    public String publicEndpoint()
    {
        return publicEndpoint;
    }

    /**
     * Add seed endpoints: nodes to gossip with until this node knows the cluster, and forever after as a fallback.
     *
     * @param endpoints seed endpoints in the transport's syntax; this node's own endpoint is allowed and skipped.
     * @return this.
     * @throws NullPointerException if an endpoint is null.
     */
    public MembershipContext seeds(final String... endpoints)
    {
        for (final String endpoint : endpoints)
        {
            seeds.add(Objects.requireNonNull(endpoint, "seed endpoint"));
        }
        return this;
    }

    /**
     * @return the seed endpoints, in the order added.
     */
    public List<String> seeds()
    {
        return List.copyOf(seeds);
    }

    /**
     * @param bootstrap true for the first node of a new cluster, which may start without seeds.
     * @return this.
     */
    public MembershipContext bootstrap(final boolean bootstrap)
    {
        this.bootstrap = bootstrap;
        return this;
    }

    /**
     * @return true if this node may start a cluster without seeds.
     */
    public boolean bootstrap()
    {
        return bootstrap;
    }

    /**
     * @param gossipIntervalMs time between gossip rounds (and heartbeats), > 0.
     * @return this.
     */
    public MembershipContext gossipIntervalMs(final long gossipIntervalMs)
    {
        this.gossipIntervalMs = gossipIntervalMs;
        return this;
    }

    /**
     * @return time between gossip rounds.
     */
    public long gossipIntervalMs()
    {
        return gossipIntervalMs;
    }

    /**
     * @param liveFanout live peers gossiped to per round, >= 1.
     * @return this.
     */
    public MembershipContext liveFanout(final int liveFanout)
    {
        this.liveFanout = liveFanout;
        return this;
    }

    /**
     * @return live peers gossiped to per round.
     */
    public int liveFanout()
    {
        return liveFanout;
    }

    /**
     * @param phiThreshold suspicion above which a member is dead, before local-health scaling; > 0.
     * @return this.
     */
    public MembershipContext phiThreshold(final double phiThreshold)
    {
        this.phiThreshold = phiThreshold;
        return this;
    }

    /**
     * @return the phi threshold.
     */
    public double phiThreshold()
    {
        return phiThreshold;
    }

    /**
     * @param samplingWindow heartbeat intervals kept per member.
     * @return this.
     */
    public MembershipContext samplingWindow(final int samplingWindow)
    {
        this.samplingWindow = samplingWindow;
        return this;
    }

    /**
     * @return heartbeat intervals kept per member.
     */
    public int samplingWindow()
    {
        return samplingWindow;
    }

    /**
     * @param maxIntervalMs longest heartbeat interval sampled; longer gaps are outages, not samples.
     * @return this.
     */
    public MembershipContext maxIntervalMs(final long maxIntervalMs)
    {
        this.maxIntervalMs = maxIntervalMs;
        return this;
    }

    /**
     * @return longest heartbeat interval sampled.
     */
    public long maxIntervalMs()
    {
        return maxIntervalMs;
    }

    /**
     * @param initialIntervalMs heartbeat interval expected before any sample, > 0, or
     *                          {@link #DERIVED_INITIAL_INTERVAL_MS} for the gossip interval (the default).
     * @return this.
     */
    public MembershipContext initialIntervalMs(final long initialIntervalMs)
    {
        this.initialIntervalMs = initialIntervalMs;
        return this;
    }

    /**
     * @return heartbeat interval expected before any sample: the configured one, or the gossip interval when it is
     * {@link #DERIVED_INITIAL_INTERVAL_MS}.
     */
    public long initialIntervalMs()
    {
        return DERIVED_INITIAL_INTERVAL_MS == initialIntervalMs ? gossipIntervalMs : initialIntervalMs;
    }

    /**
     * @param deadGracePeriodMs how long a dead member is kept before it is forgotten, > 0.
     * @return this.
     */
    public MembershipContext deadGracePeriodMs(final long deadGracePeriodMs)
    {
        this.deadGracePeriodMs = deadGracePeriodMs;
        return this;
    }

    /**
     * @return how long a dead member is kept.
     */
    public long deadGracePeriodMs()
    {
        return deadGracePeriodMs;
    }

    /**
     * @param tombstoneGracePeriodMs how long deleted keys are kept as tombstones, > 0.
     * @return this.
     */
    public MembershipContext tombstoneGracePeriodMs(final long tombstoneGracePeriodMs)
    {
        this.tombstoneGracePeriodMs = tombstoneGracePeriodMs;
        return this;
    }

    /**
     * @return how long deleted keys are kept as tombstones.
     */
    public long tombstoneGracePeriodMs()
    {
        return tombstoneGracePeriodMs;
    }

    /**
     * @param localHealthMaxScore bound of the local health score, >= 0; 0 disables local health, so a lagging node
     *                            judges peers with the plain threshold.
     * @return this.
     */
    public MembershipContext localHealthMaxScore(final int localHealthMaxScore)
    {
        this.localHealthMaxScore = localHealthMaxScore;
        return this;
    }

    /**
     * @return bound of the local health score.
     */
    public int localHealthMaxScore()
    {
        return localHealthMaxScore;
    }

    /**
     * @param synTimeoutMs time a SYN to a live peer may wait for its SYN_ACK before it counts against this node's
     *                     health, > 0.
     * @return this.
     */
    public MembershipContext synTimeoutMs(final long synTimeoutMs)
    {
        this.synTimeoutMs = synTimeoutMs;
        return this;
    }

    /**
     * @return the SYN timeout.
     */
    public long synTimeoutMs()
    {
        return synTimeoutMs;
    }

    /**
     * @param seedWaitMs how long after start a seed that has neither answered nor been heard of through another member
     *                   keeps {@link ClusterView#isComplete()} false, > 0. Past it the node counts such a seed as heard
     *                   (a seed gone for good must not hold count-based consistency levels back for ever) and logs a
     *                   warning; a node cut off from every seed for longer then takes its partial list as complete.
     * @return this.
     */
    public MembershipContext seedWaitMs(final long seedWaitMs)
    {
        this.seedWaitMs = seedWaitMs;
        return this;
    }

    /**
     * @return the seed wait.
     */
    public long seedWaitMs()
    {
        return seedWaitMs;
    }

    /**
     * @param stallThresholdMs gap between two duty-cycle turns that counts as a stall of the node thread, > 0.
     * @return this.
     */
    public MembershipContext stallThresholdMs(final long stallThresholdMs)
    {
        this.stallThresholdMs = stallThresholdMs;
        return this;
    }

    /**
     * @return the stall threshold.
     */
    public long stallThresholdMs()
    {
        return stallThresholdMs;
    }

    /**
     * @param maxFrameBytes cap on one gossip frame, >= {@link #MIN_FRAME_BYTES}; the transport's frame may lower
     *                      it.
     * @return this.
     */
    public MembershipContext maxFrameBytes(final int maxFrameBytes)
    {
        this.maxFrameBytes = maxFrameBytes;
        return this;
    }

    /**
     * @return cap on one gossip frame.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * @param maxCachedPeers bound on peers whose reply endpoint stays resolved, >= 1.
     * @return this.
     */
    public MembershipContext maxCachedPeers(final int maxCachedPeers)
    {
        this.maxCachedPeers = maxCachedPeers;
        return this;
    }

    /**
     * @return bound on cached peers.
     */
    public int maxCachedPeers()
    {
        return maxCachedPeers;
    }

    /**
     * @param generation this incarnation's generation, which must grow across restarts; {@link #DERIVED_GENERATION}
     *                   for the default: the node's incarnation when the host counts them
     *                   ({@code NodeContext.incarnation}), which a restart raises whatever the clock does, otherwise
     *                   the start time in milliseconds shifted left 16 bits, which a clock set back between two
     *                   starts can lower (peers then ignore the new life until the old one is forgotten).
     * @return this.
     */
    public MembershipContext generation(final long generation)
    {
        this.generation = generation;
        return this;
    }

    /**
     * @return the configured generation, or {@link #DERIVED_GENERATION}.
     */
    public long generation()
    {
        return generation;
    }

    /**
     * @param listener receives membership events on the node thread.
     * @return this.
     */
    public MembershipContext listener(final MembershipListener listener)
    {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * @return the membership listener.
     */
    public MembershipListener listener()
    {
        return listener;
    }
}
