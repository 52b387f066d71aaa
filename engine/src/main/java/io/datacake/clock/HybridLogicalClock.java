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
 * Not thread safe: the node thread owns its clock. Allocation free unless an error is thrown.
 */
public final class HybridLogicalClock
{
    /** Default maximum drift: datacake's 4,100 s (about 68 minutes). */
    public static final long DEFAULT_MAX_DRIFT_MS = TimeUnit.SECONDS.toMillis(4_100);

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
     * Stamp a local event.
     *
     * @return the new stamp, strictly after every stamp this clock returned or merged before.
     * @throws ClockDriftException       if the last stamp is further ahead of physical time than the maximum drift
     *                                   (the physical clock jumped backwards).
     * @throws CounterOverflowException  if the counter would exceed {@link HlcTimestamp#MAX_COUNTER}.
     */
    public long send()
    {
        final long now = physicalNow();
        final long lastMillis = millis(lastStamp);
        final long newMillis = Math.max(lastMillis, now);
        checkDrift(newMillis, now);

        final int newCounter = newMillis == lastMillis ? counter(lastStamp) + 1 : 0;
        return commit(newMillis, newCounter);
    }

    /**
     * Merge a timestamp received from another node, so that every later local stamp is after it.
     *
     * @param remoteStamp  the remote packed stamp.
     * @param remoteNodeId the remote node id.
     * @return the new local stamp (carrying this clock's node id).
     * @throws DuplicateNodeIdException if the remote node id equals this node's id.
     * @throws ClockDriftException      if the remote stamp is further ahead of physical time than the maximum drift.
     * @throws CounterOverflowException if the counter would exceed {@link HlcTimestamp#MAX_COUNTER}.
     */
    public long recv(final long remoteStamp, final int remoteNodeId)
    {
        if (remoteNodeId == nodeId)
        {
            throw new DuplicateNodeIdException(nodeId);
        }

        final long now = physicalNow();
        final long remoteMillis = millis(remoteStamp);
        checkDrift(remoteMillis, now);

        final long lastMillis = millis(lastStamp);
        final long newMillis = Math.max(Math.max(lastMillis, now), remoteMillis);
        checkDrift(newMillis, now);

        final int lastCounter = counter(lastStamp);
        final int remoteCounter = counter(remoteStamp);
        final int newCounter;
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
        if (newCounter > MAX_COUNTER)
        {
            throw new CounterOverflowException(newMillis);
        }
        lastStamp = (newMillis << HlcTimestamp.COUNTER_BITS) | newCounter;
        return lastStamp;
    }
}
