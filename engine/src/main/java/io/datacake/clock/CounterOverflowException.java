package io.datacake.clock;

/**
 * A local event found the logical counter of its millisecond used up while logical time already leads physical time
 * by the maximum drift, so it can neither bump the counter nor carry into the next millisecond. Only local events
 * cause it (more than {@link HlcTimestamp#MAX_COUNTER} + 1 of them within one millisecond at the drift bound): the
 * caller should back off until the physical clock moves on, at most one millisecond.
 */
public final class CounterOverflowException extends HlcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param millis the logical time whose counter is used up.
     */
    public CounterOverflowException(final long millis)
    {
        super("logical counter used up at " + millis + " ms, which is already the maximum drift ahead of the " +
            "physical clock: retry after the physical clock advances (at most one millisecond)");
    }
}
