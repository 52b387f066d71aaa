package io.datacake.clock;

/**
 * Base of the errors a {@link HybridLogicalClock} raises. When one is thrown the clock is left unchanged.
 */
public class HlcException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and what to do about it.
     */
    public HlcException(final String message)
    {
        super(message);
    }
}
