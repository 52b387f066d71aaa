package io.datacake.clock;

/**
 * More than {@link HlcTimestamp#MAX_COUNTER} events were stamped within one millisecond of logical time. The
 * caller should back off until the physical clock moves on (at most one millisecond).
 */
public final class CounterOverflowException extends HlcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param millis the logical time whose counter overflowed.
     */
    public CounterOverflowException(final long millis)
    {
        super("logical counter overflow at " + millis + " ms: more than " + (HlcTimestamp.MAX_COUNTER + 1) +
            " events in one millisecond; retry after the physical clock advances");
    }
}
