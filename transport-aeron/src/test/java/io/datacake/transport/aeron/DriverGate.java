package io.datacake.transport.aeron;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * The idle strategy of a SHARED-mode test media driver that a test can hold shut: while {@link #close() closed}, the
 * driver's thread parks in its next idle call and does no work, so a test can show that something happens (or returns)
 * before the driver has acted on it, without any timing. Otherwise it backs off like the default driver strategy.
 * <p>
 * Use one gate per driver: {@link #isParked()} says whether the (single) driver thread is held.
 */
final class DriverGate implements IdleStrategy
{
    private static final long PARK_NS = 1_000_000;

    private final IdleStrategy backoff = AeronDriverSettings.defaultDriverIdleStrategy();
    private volatile boolean closed;
    private volatile boolean parked;

    /**
     * Hold the driver at its next idle call, and wait (bounded) until it is held.
     */
    void close()
    {
        closed = true;
        TransportTestSupport.awaitTrue(() -> parked);
    }

    /**
     * Let the driver run again.
     */
    void open()
    {
        closed = false;
    }

    boolean isParked()
    {
        return parked;
    }

    public void idle(final int workCount)
    {
        holdWhileClosed();
        backoff.idle(workCount);
    }

    public void idle()
    {
        holdWhileClosed();
        backoff.idle();
    }

    public void reset()
    {
        backoff.reset();
    }

    public String alias()
    {
        return "driver-gate";
    }

    private void holdWhileClosed()
    {
        if (closed)
        {
            parked = true;
            // Interrupted on driver close: give up the hold so the driver can stop.
            while (closed && !Thread.currentThread().isInterrupted())
            {
                LockSupport.parkNanos(PARK_NS);
            }
            parked = false;
        }
    }
}
