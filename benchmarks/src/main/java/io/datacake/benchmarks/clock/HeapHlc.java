package io.datacake.benchmarks.clock;

import org.agrona.concurrent.EpochClock;

/**
 * Baseline: a hybrid logical clock written the obvious way, returning an immutable timestamp object per event (as
 * datacake's clock returns a copy). Only for benchmarks.
 */
public final class HeapHlc
{
    /**
     * An immutable timestamp.
     *
     * @param millis  physical part.
     * @param counter logical counter.
     * @param nodeId  node id.
     */
    public record Timestamp(long millis, int counter, int nodeId)
    {
    }

    private final EpochClock clock;
    private final long maxDriftMs;
    private Timestamp last;

    /**
     * @param nodeId     node id.
     * @param clock      physical time.
     * @param maxDriftMs maximum drift.
     */
    public HeapHlc(final int nodeId, final EpochClock clock, final long maxDriftMs)
    {
        this.clock = clock;
        this.maxDriftMs = maxDriftMs;
        this.last = new Timestamp(0, 0, nodeId);
    }

    /**
     * @return a new timestamp for a local event.
     */
    public Timestamp send()
    {
        final long now = clock.time();
        final long millis = Math.max(last.millis(), now);
        if (millis - now > maxDriftMs)
        {
            throw new IllegalStateException("clock drift");
        }
        final int counter = millis == last.millis() ? last.counter() + 1 : 0;
        if (counter > 0xFFFF)
        {
            throw new IllegalStateException("counter overflow");
        }
        last = new Timestamp(millis, counter, last.nodeId());
        return last;
    }
}
