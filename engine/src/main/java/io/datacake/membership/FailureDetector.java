package io.datacake.membership;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.Iterator;

/**
 * Live/dead classification of cluster members from their heartbeats, one {@link PhiAccrualDetector} per member.
 * <p>
 * The node component reports each heartbeat rise it learns from gossip ({@link #reportHeartbeat}) and calls
 * {@link #update} once per round: a member whose phi exceeds the threshold, scaled by this node's
 * {@link LocalHealth}, is dead; one at or below it is live. A dead member that beats again, or comes back in a newer
 * generation (which restarts its sampling window), is live again; a live member that comes back in a newer generation
 * before it was found silent is reported live again in that generation. A member that announced its leave
 * ({@link #markLeft}) is neither live nor dead until it comes back in a newer generation. A member dead or left for
 * longer than the grace period is dropped by {@link #collectExpired}, after which its state can be forgotten.
 * <p>
 * Pure: time is passed in. Not thread safe.
 */
public final class FailureDetector
{
    /** Default time a dead member is kept before it is forgotten: 24 hours. */
    public static final long DEFAULT_DEAD_GRACE_PERIOD_MS = 24L * 60 * 60 * 1000;

    private static final long NOT_DEAD = Long.MIN_VALUE;

    private final double phiThreshold;
    private final int samplingWindow;
    private final long maxIntervalMs;
    private final long initialIntervalMs;
    private final long deadGracePeriodMs;
    private final Int2ObjectHashMap<Member> members = new Int2ObjectHashMap<>();
    private int liveCount;
    private int deadCount;

    /**
     * @param phiThreshold      phi above which a member is dead (before health scaling), > 0.
     * @param samplingWindow    inter-arrival samples kept per member.
     * @param maxIntervalMs     longest interval sampled.
     * @param initialIntervalMs expected interval before samples.
     * @param deadGracePeriodMs how long a dead member is kept, > 0.
     * @throws IllegalArgumentException if a setting is out of range.
     */
    public FailureDetector(
        final double phiThreshold,
        final int samplingWindow,
        final long maxIntervalMs,
        final long initialIntervalMs,
        final long deadGracePeriodMs)
    {
        if (!(phiThreshold > 0) || Double.isInfinite(phiThreshold))
        {
            throw new IllegalArgumentException("phi threshold must be a positive finite number, got " + phiThreshold);
        }
        if (deadGracePeriodMs <= 0)
        {
            throw new IllegalArgumentException("dead grace period must be > 0 ms, got " + deadGracePeriodMs);
        }
        new PhiAccrualDetector(samplingWindow, maxIntervalMs, initialIntervalMs); // validates the settings
        this.phiThreshold = phiThreshold;
        this.samplingWindow = samplingWindow;
        this.maxIntervalMs = maxIntervalMs;
        this.initialIntervalMs = initialIntervalMs;
        this.deadGracePeriodMs = deadGracePeriodMs;
    }

    /**
     * @return a detector with the defaults: threshold {@value PhiAccrualDetector#DEFAULT_PHI_THRESHOLD}, window 1,000, max interval 10 s, initial interval 5 s,
     * dead grace period 24 h.
     */
    public static FailureDetector withDefaults()
    {
        return new FailureDetector(
            PhiAccrualDetector.DEFAULT_PHI_THRESHOLD,
            PhiAccrualDetector.DEFAULT_SAMPLING_WINDOW,
            PhiAccrualDetector.DEFAULT_MAX_INTERVAL_MS,
            PhiAccrualDetector.DEFAULT_INITIAL_INTERVAL_MS,
            DEFAULT_DEAD_GRACE_PERIOD_MS);
    }

    /**
     * @return how long a dead member is kept before {@link #collectExpired} drops it.
     */
    public long deadGracePeriodMs()
    {
        return deadGracePeriodMs;
    }

    /**
     * Record that a member's heartbeat rose. A newer generation restarts the member's sampling window; an older one
     * is ignored.
     *
     * @param nodeId     the member, 0 to {@link NodeState#MAX_NODE_ID}.
     * @param generation its generation.
     * @param nowMs      the current time.
     * @throws IllegalArgumentException if the node id is out of range.
     */
    public void reportHeartbeat(final int nodeId, final long generation, final long nowMs)
    {
        Member member = members.get(nodeId);
        if (null == member)
        {
            NodeState.checkNodeId(nodeId);
            member = new Member(generation, new PhiAccrualDetector(samplingWindow, maxIntervalMs, initialIntervalMs));
            members.put(nodeId, member);
        }
        else if (generation < member.generation)
        {
            return;
        }
        else if (generation > member.generation)
        {
            member.generation = generation;
            member.detector.reset();
            // Back before it was found silent: the next update reports it live in this generation.
            member.restarted = member.state == MemberState.LIVE;
            if (member.state == MemberState.LEFT)
            {
                // A new incarnation of a member that left: watch it afresh.
                member.state = MemberState.NEW;
                member.deadSinceMs = NOT_DEAD;
            }
        }
        member.detector.heartbeat(nowMs);
    }

    /**
     * Reclassify every member.
     *
     * @param nowMs    the current time.
     * @param health   this node's health, which scales the threshold; null for no scaling.
     * @param listener told of each change.
     * @return the number of members that changed state.
     */
    public int update(final long nowMs, final LocalHealth health, final LivenessListener listener)
    {
        final double threshold = null == health ? phiThreshold : health.scaledThreshold(phiThreshold);
        int changes = 0;
        for (final Int2ObjectHashMap<Member>.EntryIterator it = members.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            final Member member = it.getValue();
            if (member.state == MemberState.LEFT)
            {
                continue;
            }
            final boolean alive = member.detector.hasHeartbeat() && member.detector.phi(nowMs) <= threshold;
            final boolean restarted = member.restarted;
            member.restarted = false;
            if (alive && member.state == MemberState.LIVE && restarted)
            {
                changes++;
                listener.onLive(it.getIntKey(), member.generation, false);
            }
            else if (alive && member.state != MemberState.LIVE)
            {
                final boolean revived = member.state == MemberState.DEAD;
                if (revived)
                {
                    deadCount--;
                }
                member.state = MemberState.LIVE;
                member.deadSinceMs = NOT_DEAD;
                liveCount++;
                changes++;
                listener.onLive(it.getIntKey(), member.generation, revived);
            }
            else if (!alive && member.state != MemberState.DEAD)
            {
                if (member.state == MemberState.LIVE)
                {
                    liveCount--;
                }
                member.state = MemberState.DEAD;
                member.deadSinceMs = nowMs;
                deadCount++;
                changes++;
                listener.onDead(it.getIntKey(), member.generation);
            }
        }
        return changes;
    }

    /**
     * Discount a pause of this node (a stall of its duty cycle) from every member's silence, so a node that could not
     * listen does not accuse its peers of what it missed.
     *
     * @param pausedMs how long this node was paused, >= 0.
     * @param nowMs    the current time.
     */
    public void onLocalPause(final long pausedMs, final long nowMs)
    {
        for (final Int2ObjectHashMap<Member>.EntryIterator it = members.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            it.getValue().detector.pause(pausedMs, nowMs);
        }
    }

    /**
     * Drop members that have been dead longer than the grace period.
     *
     * @param nowMs the current time.
     * @param out   receives the dropped member ids; at most {@code out.length} are dropped per call.
     * @return the number of ids written.
     */
    public int collectExpired(final long nowMs, final int[] out)
    {
        int count = 0;
        for (final Int2ObjectHashMap<Member>.EntryIterator it = members.entrySet().iterator();
            it.hasNext() && count < out.length; )
        {
            it.next();
            final Member member = it.getValue();
            final boolean gone = member.state == MemberState.DEAD || member.state == MemberState.LEFT;
            if (gone && nowMs - member.deadSinceMs >= deadGracePeriodMs)
            {
                out[count++] = it.getIntKey();
                it.remove();
                if (member.state == MemberState.DEAD)
                {
                    deadCount--;
                }
            }
        }
        return count;
    }

    /**
     * Take a member out of the live and dead sets at once because it announced that it is leaving. Only a newer
     * generation of it ({@link #reportHeartbeat}) brings it back; until then its heartbeats are ignored, and after
     * the grace period {@link #collectExpired} drops it like a dead member.
     *
     * @param nodeId     the member.
     * @param generation the generation that announced its leave; an older or newer one than the tracked one is
     *                   ignored.
     * @param nowMs      the current time.
     * @return true if the member was tracked in that generation and had not left already.
     */
    public boolean markLeft(final int nodeId, final long generation, final long nowMs)
    {
        final Member member = members.get(nodeId);
        if (null == member || member.generation != generation || member.state == MemberState.LEFT)
        {
            return false;
        }
        if (member.state == MemberState.LIVE)
        {
            liveCount--;
        }
        else if (member.state == MemberState.DEAD)
        {
            deadCount--;
        }
        member.state = MemberState.LEFT;
        member.deadSinceMs = nowMs;
        return true;
    }

    /**
     * @param nodeId a member.
     * @return true if it announced its leave in the generation tracked here.
     */
    public boolean hasLeft(final int nodeId)
    {
        final Member member = members.get(nodeId);
        return null != member && member.state == MemberState.LEFT;
    }

    /**
     * Stop tracking a member.
     *
     * @param nodeId the member.
     * @return true if it was tracked.
     */
    public boolean forget(final int nodeId)
    {
        final Member member = members.remove(nodeId);
        if (null == member)
        {
            return false;
        }
        if (member.state == MemberState.LIVE)
        {
            liveCount--;
        }
        else if (member.state == MemberState.DEAD)
        {
            deadCount--;
        }
        return true;
    }

    /**
     * @param nodeId a member.
     * @return true if the last {@link #update} found it live.
     */
    public boolean isLive(final int nodeId)
    {
        final Member member = members.get(nodeId);
        return null != member && member.state == MemberState.LIVE;
    }

    /**
     * @param nodeId a member.
     * @return true if the last {@link #update} found it dead.
     */
    public boolean isDead(final int nodeId)
    {
        final Member member = members.get(nodeId);
        return null != member && member.state == MemberState.DEAD;
    }

    /**
     * @param nodeId a member.
     * @return when it was found dead or left, or {@link Long#MIN_VALUE} if it is neither.
     */
    public long deadSinceMs(final int nodeId)
    {
        final Member member = members.get(nodeId);
        return null == member ? NOT_DEAD : member.deadSinceMs;
    }

    /**
     * @param nodeId a member.
     * @param nowMs  the current time.
     * @return its current phi, 0 if it is not tracked.
     */
    public double phi(final int nodeId, final long nowMs)
    {
        final Member member = members.get(nodeId);
        return null == member ? 0.0 : member.detector.phi(nowMs);
    }

    /**
     * @return the number of live members.
     */
    public int liveCount()
    {
        return liveCount;
    }

    /**
     * @return the number of dead members.
     */
    public int deadCount()
    {
        return deadCount;
    }

    /**
     * @param out receives live member ids, up to its length.
     * @return the number written.
     */
    public int liveNodes(final int[] out)
    {
        return collect(MemberState.LIVE, out);
    }

    /**
     * @param out receives dead member ids, up to its length.
     * @return the number written.
     */
    public int deadNodes(final int[] out)
    {
        return collect(MemberState.DEAD, out);
    }

    private int collect(final MemberState state, final int[] out)
    {
        int count = 0;
        for (final Int2ObjectHashMap<Member>.EntryIterator it = members.entrySet().iterator();
            it.hasNext() && count < out.length; )
        {
            it.next();
            if (it.getValue().state == state)
            {
                out[count++] = it.getIntKey();
            }
        }
        return count;
    }

    private enum MemberState
    {
        NEW, LIVE, DEAD, LEFT
    }

    private static final class Member
    {
        final PhiAccrualDetector detector;
        long generation;
        MemberState state = MemberState.NEW;
        long deadSinceMs = NOT_DEAD;
        /** Live when a newer generation of it arrived, not yet reported live in that generation. */
        boolean restarted;

        Member(final long generation, final PhiAccrualDetector detector)
        {
            this.generation = generation;
            this.detector = detector;
        }
    }
}
