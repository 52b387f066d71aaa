package io.datacake.clock;

/**
 * A timestamp is further ahead of the local physical clock than the configured maximum drift. Usually a peer's
 * wall clock is wrong (or ours is): fix time synchronisation (NTP) on the hosts rather than raising the limit.
 */
public final class ClockDriftException extends HlcException
{
    private static final long serialVersionUID = 1L;

    private final long driftMs;
    private final long maxDriftMs;

    /**
     * @param driftMs    how far ahead of local physical time the timestamp was.
     * @param maxDriftMs the configured limit.
     */
    public ClockDriftException(final long driftMs, final long maxDriftMs)
    {
        super("timestamp is " + driftMs + " ms ahead of the local clock, more than the maximum drift of " +
            maxDriftMs + " ms: check time synchronisation between nodes");
        this.driftMs = driftMs;
        this.maxDriftMs = maxDriftMs;
    }

    /**
     * @return how far ahead of local physical time the offending timestamp was, in milliseconds.
     */
    public long driftMs()
    {
        return driftMs;
    }

    /**
     * @return the configured maximum drift in milliseconds.
     */
    public long maxDriftMs()
    {
        return maxDriftMs;
    }
}
