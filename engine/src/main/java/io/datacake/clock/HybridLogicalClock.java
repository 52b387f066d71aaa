package io.datacake.clock;

import org.agrona.concurrent.EpochClock;

import java.util.concurrent.TimeUnit;

import static io.datacake.clock.HlcTimestamp.MAX_COUNTER;
import static io.datacake.clock.HlcTimestamp.counter;
import static io.datacake.clock.HlcTimestamp.millis;

/**
 * A hybrid logical clock for one node: physical milliseconds from an injected {@link EpochClock} plus a 16-bit
 * logical counter, packed as described in {@link HlcTimestamp}, with this node's id as the tie-breaker.
 * <p>
 * Rules (those of datacake): stamps never go backwards; a local event ({@link #send()}) takes the later of the last
 * stamp and physical time, bumping the counter if time did not advance; a remote stamp ({@link #recv(long, int)})
 * is merged so that the next local stamp is after it. Every failure throws a subclass of {@link HlcException} and
 * leaves the clock unchanged.
 * <p>
 * <b>The network can never stop local stamping.</b> A remote stamp may legally be up to {@link #maxDriftMs()} ahead
 * of physical time, which pins logical time until physical time catches up; with a 16-bit counter that would let
 * one forged frame (counter {@code 0xFFFE}) exhaust the counter and fail every local event for up to the whole drift
 * bound. So the counter is never a hard stop:
 * <ul>
 *   <li>When a local event finds the counter of its millisecond used up, logical time carries into the next
 *       millisecond with counter 0 instead of failing. Stamps stay unique and strictly increasing; logical time
 *       leads physical time by at most one millisecond per {@link HlcTimestamp#MAX_COUNTER} + 1 local events, and
 *       physical time catches up.</li>
 *   <li>A merge never leaves fewer than {@link #RECV_COUNTER_HEADROOM} counter values for local events: a merge
 *       that would carries into the next millisecond. Only local events consume that headroom.</li>
 *   <li>Logical time never leads physical time by more than the maximum drift. A remote stamp beyond it, or one
 *       at the bound whose merge would have to carry past it, is refused with {@link ClockDriftException}.</li>
 * </ul>
 * Hence, whatever remote stamps arrive, at least {@link #RECV_COUNTER_HEADROOM} local events succeed after every
 * accepted merge and in every physical millisecond, and {@link #send()} fails only if the physical clock went
 * backwards by more than the maximum drift ({@link ClockDriftException}), or, while logical time sits at the drift
 * bound, after local events used up the counter of that millisecond ({@link CounterOverflowException}, cleared when
 * physical time advances by one millisecond).
 * <p>
 * Not thread safe: the node thread owns its clock. Allocation free unless an error is thrown.
 */
public final class HybridLogicalClock
{
    /** Default maximum drift: datacake's 4,100 s (about 68 minutes). */
    public static final long DEFAULT_MAX_DRIFT_MS = TimeUnit.SECONDS.toMillis(4_100);

    /**
     * Counter values a merge of a remote stamp always leaves free for local events in the same millisecond: a merge
     * whose counter would go above {@link HlcTimestamp#MAX_COUNTER} minus this carries into the next millisecond.
     */
    public static final int RECV_COUNTER_HEADROOM = 1_024;

    private final int nodeId;
    private final long maxDriftMs;
    private final EpochClock epochClock;
    private long lastStamp;

    /**
     * Create a clock with the default maximum drift.
     *
     * @param nodeId     this node's id, 0..{@link HlcTimestamp#MAX_NODE_ID}.
     * @param epochClock source of physical time (a system clock, or a simulated one).
     */
    public HybridLogicalClock(final int nodeId, final EpochClock epochClock)
    {
        this(nodeId, epochClock, DEFAULT_MAX_DRIFT_MS);
    }

    /**
     * Create a clock.
     *
     * @param nodeId     this node's id, 0..{@link HlcTimestamp#MAX_NODE_ID}.
     * @param epochClock source of physical time (a system clock, or a simulated one).
     * @param maxDriftMs how far ahead of physical time a stamp may be before it is rejected; must be positive.
     * @throws IllegalArgumentException if the node id or drift is out of range.
     */
    public HybridLogicalClock(final int nodeId, final EpochClock epochClock, final long maxDriftMs)
    {
        this.nodeId = HlcTimestamp.checkNodeId(nodeId);
        if (maxDriftMs <= 0)
        {
            throw new IllegalArgumentException("maxDriftMs must be positive: " + maxDriftMs);
        }
        if (null == epochClock)
        {
            throw new NullPointerException("epochClock");
        }
        this.maxDriftMs = maxDriftMs;
        this.epochClock = epochClock;
        this.lastStamp = HlcTimestamp.NULL_STAMP;
    }

    /**
     * @return this node's id, carried beside every stamp this clock produces.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return the configured maximum drift in milliseconds.
     */
    public long maxDriftMs()
    {
        return maxDriftMs;
    }

    /**
     * @return the last stamp this clock produced or merged, or {@link HlcTimestamp#NULL_STAMP} before the first.
     */
    public long lastStamp()
    {
        return lastStamp;
    }

    /**
     * Stamp a local event. If the counter of the current logical millisecond is used up, logical time carries into
     * the next millisecond with counter 0.
     *
     * @return the new stamp, strictly after every stamp this clock returned or merged before.
     * @throws ClockDriftException      if the last stamp is further ahead of physical time than the maximum drift
     *                                  (the physical clock jumped backwards).
     * @throws CounterOverflowException if logical time is at the maximum drift ahead of physical time and the
     *                                  counter of that millisecond is used up: retry once physical time has advanced
     *                                  (at most one millisecond).
     */
    public long send()
    {
        final long now = physicalNow();
        final long lastMillis = millis(lastStamp);
        checkDrift(lastMillis, now);

        long newMillis = Math.max(lastMillis, now);
        int newCounter = newMillis == lastMillis ? counter(lastStamp) + 1 : 0;
        if (newCounter > MAX_COUNTER)
        {
            newMillis++;
            newCounter = 0;
            if (newMillis - now > maxDriftMs)
            {
                throw new CounterOverflowException(lastMillis);
            }
        }
        return commit(newMillis, newCounter);
    }

    /**
     * Merge a timestamp received from another node, so that every later local stamp is after it. The merge leaves at
     * least {@link #RECV_COUNTER_HEADROOM} counter values for local events, carrying into the next millisecond if it
     * must.
     *
     * @param remoteStamp  the remote packed stamp.
     * @param remoteNodeId the remote node id.
     * @return the new local stamp (carrying this clock's node id).
     * @throws DuplicateNodeIdException if the remote node id equals this node's id.
     * @throws ClockDriftException      if the remote stamp is further ahead of physical time than the maximum drift,
     *                                  or so close to it that the merge would have to carry past it.
     */
    public long recv(final long remoteStamp, final int remoteNodeId)
    {
        if (remoteNodeId == nodeId)
        {
            throw new DuplicateNodeIdException(nodeId);
        }
        return merge(remoteStamp);
    }

    /**
     * Merge a stamp this node issued in an earlier life, read back from its storage at a restart, so that every
     * later local stamp is after it. The clock itself is not persisted: without this, a node whose logical time had
     * been pushed ahead of its physical clock by a peer's would stamp its first writes after a restart behind its
     * own earlier ones, and every set that saw the earlier ones would drop the new ones as stale.
     *
     * @param ownStamp a stamp this node issued before.
     * @return the new local stamp.
     * @throws ClockDriftException if the stamp is further ahead of physical time than the maximum drift (the
     *                             physical clock went back by more than that), or so close to it that the merge
     *                             would have to carry past it; the clock is unchanged.
     */
    public long restore(final long ownStamp)
    {
        return merge(ownStamp);
    }

    private long merge(final long remoteStamp)
    {
        final long now = physicalNow();
        final long remoteMillis = millis(remoteStamp);
        checkDrift(remoteMillis, now);

        final long lastMillis = millis(lastStamp);
        long newMillis = Math.max(Math.max(lastMillis, now), remoteMillis);
        checkDrift(newMillis, now);

        final int lastCounter = counter(lastStamp);
        final int remoteCounter = counter(remoteStamp);
        int newCounter;
        if (newMillis == lastMillis && newMillis == remoteMillis)
        {
            newCounter = Math.max(lastCounter, remoteCounter) + 1;
        }
        else if (newMillis == lastMillis)
        {
            newCounter = lastCounter + 1;
        }
        else if (newMillis == remoteMillis)
        {
            newCounter = remoteCounter + 1;
        }
        else
        {
            newCounter = 0;
        }

        if (newCounter > MAX_COUNTER - RECV_COUNTER_HEADROOM)
        {
            newMillis++;
            newCounter = 0;
            checkDrift(newMillis, now);
        }
        return commit(newMillis, newCounter);
    }

    /**
     * Readable form of the last stamp, for logs.
     *
     * @return e.g. {@code 2026-11-25T09:08:51.123Z/000a/12}.
     */
    public String toString()
    {
        return HlcTimestamp.toString(lastStamp, nodeId);
    }

    private long physicalNow()
    {
        final long now = epochClock.time();
        if (now < 0 || now > HlcTimestamp.MAX_MILLIS)
        {
            throw new HlcException("physical clock reads " + now + " ms, outside [0, " + HlcTimestamp.MAX_MILLIS +
                "]: check the EpochClock implementation");
        }
        return now;
    }

    private void checkDrift(final long millis, final long now)
    {
        final long drift = millis - now;
        if (drift > maxDriftMs)
        {
            throw new ClockDriftException(drift, maxDriftMs);
        }
    }

    private long commit(final long newMillis, final int newCounter)
    {
        if (newMillis > HlcTimestamp.MAX_MILLIS)
        {
            throw new HlcException("logical time " + newMillis + " ms is beyond the stamp layout's " +
                HlcTimestamp.MAX_MILLIS + " ms: check the EpochClock implementation and the maximum drift");
        }
        lastStamp = (newMillis << HlcTimestamp.COUNTER_BITS) | newCounter;
        return lastStamp;
    }
}
