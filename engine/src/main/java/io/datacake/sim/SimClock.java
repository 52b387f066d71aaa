package io.datacake.sim;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

/**
 * Virtual time for a {@link Simulation}: moves only when the driver advances it. Every node of a simulation reads
 * the same clock, so a run depends only on its seed. Single threaded.
 */
public final class SimClock implements EpochClock, NanoClock
{
    /** Default start of virtual time: 2026-01-01T00:00:00Z, so stamps look like real ones. */
    public static final long DEFAULT_START_MS = 1_767_225_600_000L;

    private long timeMs;

    /**
     * A clock at {@link #DEFAULT_START_MS}.
     */
    public SimClock()
    {
        this(DEFAULT_START_MS);
    }

    /**
     * A clock at a given time.
     *
     * @param startMs epoch milliseconds.
     */
    public SimClock(final long startMs)
    {
        this.timeMs = startMs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long time()
    {
        return timeMs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long nanoTime()
    {
        return timeMs * 1_000_000L;
    }

    /**
     * Move time forward.
     *
     * @param deltaMs milliseconds, not negative.
     * @throws IllegalArgumentException if negative: virtual time never goes back.
     */
    public void advanceMs(final long deltaMs)
    {
        if (deltaMs < 0)
        {
            throw new IllegalArgumentException("virtual time cannot go back: " + deltaMs);
        }
        timeMs += deltaMs;
    }
}
