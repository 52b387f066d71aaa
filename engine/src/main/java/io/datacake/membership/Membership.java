package io.datacake.membership;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.IntHashSet;

import java.util.random.RandomGenerator;

/**
 * The pure core of cluster membership that a node component drives: scuttlebutt state ({@link ClusterState}),
 * failure detection ({@link FailureDetector}) scaled by local health ({@link LocalHealth}), gossip peer choice
 * ({@link GossipTargets}) and the SYN / SYN_ACK / ACK exchange, turned into {@link MembershipListener} events.
 * <p>
 * It owns no thread, clock, socket or random source: the component calls {@link #onGossipRound} on its gossip
 * timer, sends the SYN from {@link #encodeSyn} to each peer {@link #selectTargets} returns, passes every received
 * frame to {@link #onFrame} and sends back what it writes. Members dead for half the grace period are no longer
 * gossiped, so peers stop reviving them, and members dead for the whole grace period are forgotten.
 * <p>
 * A node that shuts down cleanly calls {@link #leave}, which writes {@link #LEAVING_KEY} into its own state, and sends
 * the frame of {@link #encodeLeave} to its live peers. A peer that learns the marker, from that frame or later by
 * gossip, reports the member left at once instead of waiting for the failure detector to find it dead; a newer
 * generation of it joins again as a restart.
 * <p>
 * Not thread safe. Steady-state gossip of unchanged state allocates nothing.
 */
public final class Membership
{
    /** Key a member writes into its own state when it leaves the cluster cleanly. */
    public static final String LEAVING_KEY = "datacake.leaving";

    private static final long NO_GENERATION = Long.MIN_VALUE;
    private static final long NOT_LEAVING = -1;

    private final ClusterState state;
    private final FailureDetector detector;
    private final LocalHealth health;
    private final GossipTargets targets;
    private final long tombstoneGracePeriodMs;
    private final MembershipListener listener;
    private final GossipEncoder encoder = new GossipEncoder();
    private final GossipDecoder decoder = new GossipDecoder();
    private final Digest peerDigest = new Digest();
    private final IntHashSet excluded = new IntHashSet();
    private final Long2LongHashMap announcedGeneration = new Long2LongHashMap(NO_GENERATION);
    private final IntHashSet reportedLeft = new IntHashSet();
    private final Digest leaveDigest = new Digest();
    private long leaveFloorVersion = NOT_LEAVING;
    private final Events events = new Events();
    private int[] live = new int[16];
    private int[] dead = new int[16];
    private int liveCount;
    private int deadCount;
    private final long[] droppedFrames = new long[MalformedGossipException.Reason.values().length];
    private long repliesTooLarge;
    private long nowMs;

    /**
     * @param selfNodeId             this node's id.
     * @param generation             this incarnation's generation; must grow across restarts.
     * @param detector               the failure detector settings and state.
     * @param health                 this node's local health.
     * @param targets                the gossip fan-out.
     * @param tombstoneGracePeriodMs how long deleted keys are kept as tombstones, > 0.
     * @param listener               receives membership events.
     * @throws IllegalArgumentException if the id, generation or grace period is out of range.
     */
    public Membership(
        final int selfNodeId,
        final long generation,
        final FailureDetector detector,
        final LocalHealth health,
        final GossipTargets targets,
        final long tombstoneGracePeriodMs,
        final MembershipListener listener)
    {
        if (tombstoneGracePeriodMs <= 0)
        {
            throw new IllegalArgumentException("tombstone grace period must be > 0 ms, got " + tombstoneGracePeriodMs);
        }
        this.state = new ClusterState(selfNodeId, generation, events);
        this.detector = detector;
        this.health = health;
        this.targets = targets;
        this.tombstoneGracePeriodMs = tombstoneGracePeriodMs;
        this.listener = listener;
    }

    /**
     * @return the cluster state; write this node's keys through it.
     */
    public ClusterState state()
    {
        return state;
    }

    /**
     * @return the failure detector, for queries.
     */
    public FailureDetector detector()
    {
        return detector;
    }

    /**
     * @return this node's local health; report unanswered SYNs and refutations to it.
     */
    public LocalHealth health()
    {
        return health;
    }

    /**
     * One gossip round's housekeeping: beat, note the duty-cycle tick, reclassify members, forget members dead past
     * the grace period, collect old tombstones, and refresh the members left out of gossip.
     *
     * @param nowMs the current time.
     */
    public void onGossipRound(final long nowMs)
    {
        this.nowMs = nowMs;
        state.incrementHeartbeat();
        health.onTick(nowMs);
        detector.update(nowMs, health, events);

        int expired;
        do
        {
            expired = detector.collectExpired(nowMs, dead);
            for (int i = 0; i < expired; i++)
            {
                final int nodeId = dead[i];
                announcedGeneration.remove(nodeId);
                state.forget(nodeId);
            }
        }
        while (expired == dead.length);
        state.collectTombstones(nowMs, tombstoneGracePeriodMs);

        refreshPeers();
        excluded.clear();
        for (int i = 0; i < deadCount; i++)
        {
            if (nowMs - detector.deadSinceMs(dead[i]) >= detector.deadGracePeriodMs() / 2)
            {
                excluded.add(dead[i]);
            }
        }
    }

    /**
     * Choose this round's gossip peers from the live and dead members known at the last round.
     *
     * @param seeds     seed member ids (this node's own id is skipped).
     * @param seedCount number of seeds.
     * @param random    the source of randomness.
     * @param out       receives the peer ids; at least {@link GossipTargets#maxTargets()} long.
     * @return the number of peers written.
     * @throws IllegalArgumentException if {@code out} is too short or a count is out of range.
     */
    public int selectTargets(final int[] seeds, final int seedCount, final RandomGenerator random, final int[] out)
    {
        final int count = targets.select(live, liveCount, dead, deadCount, seeds, seedCount, random, out);
        final int self = state.self().nodeId();
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (out[i] != self)
            {
                out[kept++] = out[i];
            }
        }
        return kept;
    }

    /**
     * Write a SYN to open an exchange with a peer.
     *
     * @param buffer    destination.
     * @param offset    where the frame starts.
     * @param maxLength the frame budget.
     * @return the frame length.
     * @throws IllegalArgumentException if the budget is outside the buffer or below
     *                                  {@link GossipEncoder#MIN_SYN_FRAME_LENGTH}.
     */
    public int encodeSyn(final MutableDirectBuffer buffer, final int offset, final int maxLength)
    {
        return encoder.encodeSyn(state, buffer, offset, maxLength);
    }

    /**
     * Handle a received gossip frame and write the reply, if any, into a separate buffer. A malformed frame is
     * dropped without any change and counted by reason ({@link #droppedFrames}). A SYN_ACK whose reply digest had to
     * leave members out for the budget is counted ({@link #repliesTooLarge}); later exchanges ask for them.
     *
     * @param buffer         holds the frame.
     * @param offset         where it starts.
     * @param length         its length.
     * @param nowMs          the current time.
     * @param reply          destination of the reply; must not overlap the frame.
     * @param replyOffset    where the reply starts.
     * @param replyMaxLength the reply budget.
     * @return the reply length: a SYN_ACK for a SYN, an ACK for a SYN_ACK, 0 for no reply (an ACK, or a dropped
     * frame).
     * @throws IllegalArgumentException if the reply range is outside its buffer.
     */
    public int onFrame(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long nowMs,
        final MutableDirectBuffer reply,
        final int replyOffset,
        final int replyMaxLength)
    {
        try
        {
            decoder.wrap(buffer, offset, length);
        }
        catch (final MalformedGossipException ex)
        {
            droppedFrames[ex.reason().ordinal()]++;
            return 0;
        }
        this.nowMs = nowMs;
        switch (decoder.type())
        {
            case SYN:
                decoder.readDigest(peerDigest);
                state.observeHeartbeats(peerDigest);
                final int synAckLength =
                    encoder.encodeSynAck(state, peerDigest, excluded, reply, replyOffset, replyMaxLength);
                if (encoder.lastDigestTruncated())
                {
                    repliesTooLarge++;
                }
                return synAckLength;
            case SYN_ACK:
                decoder.readDigest(peerDigest);
                state.observeHeartbeats(peerDigest);
                decoder.applyDelta(state, nowMs);
                health.onProbeAnswered();
                return encoder.encodeAck(state, peerDigest, excluded, reply, replyOffset, replyMaxLength);
            default:
                decoder.applyDelta(state, nowMs);
                return 0;
        }
    }

    /**
     * Announce that this node leaves the cluster: write {@link #LEAVING_KEY} into its own state so that gossip carries
     * it, and prepare {@link #encodeLeave}. Calling it again does nothing.
     *
     * @return true if this call started the leave.
     */
    public boolean leave()
    {
        if (NOT_LEAVING != leaveFloorVersion)
        {
            return false;
        }
        leaveFloorVersion = state.self().maxVersion();
        state.set(LEAVING_KEY, "1");
        return true;
    }

    /**
     * @return true once {@link #leave} was called.
     */
    public boolean isLeaving()
    {
        return NOT_LEAVING != leaveFloorVersion;
    }

    /**
     * Write the unsolicited ACK that tells a peer this node leaves: a delta of this node's own state holding only
     * what changed since {@link #leave} began, which a peer up to date with this node applies at once (one that is
     * behind skips it and learns the marker by gossip instead).
     *
     * @param buffer    destination.
     * @param offset    where the frame starts.
     * @param maxLength the frame budget.
     * @return the frame length.
     * @throws IllegalStateException    if {@link #leave} was not called.
     * @throws IllegalArgumentException if the budget is outside the buffer or below an empty ACK.
     */
    public int encodeLeave(final MutableDirectBuffer buffer, final int offset, final int maxLength)
    {
        if (NOT_LEAVING == leaveFloorVersion)
        {
            throw new IllegalStateException("call leave() before encoding the leave announcement");
        }
        final NodeState self = state.self();
        leaveDigest.clear();
        leaveDigest.cover(self.nodeId(), self.nodeId(), false);
        leaveDigest.add(self.nodeId(), self.generation(), self.heartbeat(), leaveFloorVersion, self.lastGcVersion());
        return encoder.encodeAck(state, leaveDigest, null, buffer, offset, maxLength);
    }

    /**
     * @param reason a cause of rejection.
     * @return how many received frames were dropped for that cause.
     */
    public long droppedFrames(final MalformedGossipException.Reason reason)
    {
        return droppedFrames[reason.ordinal()];
    }

    /**
     * @return how many SYN_ACKs left members out of their reply digest for the frame budget; they are asked for in
     * later exchanges, so this only slows convergence; raise the frame length if it grows steadily.
     */
    public long repliesTooLarge()
    {
        return repliesTooLarge;
    }

    /**
     * @return the number of live members at the last round.
     */
    public int liveCount()
    {
        return liveCount;
    }

    /**
     * @return the number of dead members at the last round.
     */
    public int deadCount()
    {
        return deadCount;
    }

    private void refreshPeers()
    {
        if (live.length < detector.liveCount())
        {
            live = new int[Math.max(detector.liveCount(), live.length * 2)];
        }
        if (dead.length < detector.deadCount())
        {
            dead = new int[Math.max(detector.deadCount(), dead.length * 2)];
        }
        liveCount = detector.liveNodes(live);
        deadCount = detector.deadNodes(dead);
    }

    /** Turns state and liveness callbacks into membership events. */
    private final class Events implements ClusterStateListener, LivenessListener
    {
        public void onNodeJoined(final int nodeId, final long generation, final boolean restarted)
        {
            // Learning of a member, or of its new generation, counts as a heartbeat: the detector starts watching.
            detector.reportHeartbeat(nodeId, generation, nowMs);
        }

        public void onHeartbeat(final int nodeId, final long generation, final long heartbeat)
        {
            detector.reportHeartbeat(nodeId, generation, nowMs);
        }

        public void onEntryChanged(final int nodeId, final String key, final long version, final boolean tombstone)
        {
            listener.onKeyChanged(nodeId, key, version, tombstone);
            if (!tombstone && nodeId != state.self().nodeId() && LEAVING_KEY.equals(key))
            {
                onLeaveAnnounced(nodeId);
            }
        }

        public void onNodeForgotten(final int nodeId)
        {
            // A member that announced its leave was reported then; forgetting it later is no news.
            if (!reportedLeft.remove(nodeId))
            {
                listener.onMemberLeft(nodeId);
            }
        }

        public void onLive(final int nodeId, final long generation, final boolean revived)
        {
            reportedLeft.remove(nodeId);
            final long announced = announcedGeneration.get(nodeId);
            if (announced != generation)
            {
                announcedGeneration.put(nodeId, generation);
                listener.onMemberJoined(nodeId, generation, NO_GENERATION != announced);
            }
            else if (revived)
            {
                listener.onMemberRevived(nodeId, generation);
            }
        }

        public void onDead(final int nodeId, final long generation)
        {
            listener.onMemberDead(nodeId, generation);
        }

        private void onLeaveAnnounced(final int nodeId)
        {
            final NodeState node = state.node(nodeId);
            if (null != node && detector.markLeft(nodeId, node.generation(), nowMs) &&
                announcedGeneration.containsKey(nodeId))
            {
                reportedLeft.add(nodeId);
                listener.onMemberLeft(nodeId);
            }
        }
    }
}
