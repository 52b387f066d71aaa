package io.datacake.store;

/**
 * A write was refused before anything was written because a bound of the store was reached: too many writes
 * pending acknowledgement ({@link StoreContext#maxPendingWrites(int)}) or a storage writer holding its maximum of
 * writes or bytes in flight. Retry once earlier writes completed.
 */
public final class StoreBackPressureException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message which bound was reached.
     */
    public StoreBackPressureException(final String message)
    {
        super(message);
    }
}
