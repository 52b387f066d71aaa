package io.datacake.perf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How a client thread with all its operations in flight waits for one to complete: it spins a little, yields a
 * little, then parks until the thread that completes an operation wakes it ({@link #wake()}), as a thread blocked on
 * a future is woken. It reacts to a completion at once, instead of whenever a timed park happens to end, and costs no
 * CPU while it waits. One waiting thread per instance; {@link #wake()} from any thread.
 */
final class CompletionWait
{
    /** Spins before the waiting thread yields. */
    static final int SPINS = 10;

    /** Yields before the waiting thread parks until woken. */
    static final int YIELDS = 20;

    /**
     * Default longest park of the waiting thread: a completion wakes it, so this only bounds how late it notices a
     * stopped run.
     */
    static final long DEFAULT_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long maxParkNs;
    private volatile Thread parkedThread;

    /**
     * A wait whose parks last at most {@link #DEFAULT_MAX_PARK_NS}.
     */
    CompletionWait()
    {
        this(DEFAULT_MAX_PARK_NS);
    }

    /**
     * @param maxParkNs longest park between two looks at the stop condition, above 0.
     * @throws IllegalArgumentException if maxParkNs is not above 0.
     */
    CompletionWait(final long maxParkNs)
    {
        if (maxParkNs <= 0)
        {
            throw new IllegalArgumentException("maxParkNs must be above 0 (it bounds how late a stop is seen): " +
                maxParkNs);
        }
        this.maxParkNs = maxParkNs;
    }

    /**
     * Wait on the calling thread until a condition holds.
     *
     * @param ready   true once the thread can go on (e.g. an operation is free); completions change it, then call
     *                {@link #wake()}.
     * @param stopped true when the wait should end early (the run was stopped).
     * @return true once ready, false if stopped first.
     */
    boolean await(final BooleanSupplier ready, final BooleanSupplier stopped)
    {
        int idles = 0;
        while (!ready.getAsBoolean())
        {
            if (stopped.getAsBoolean())
            {
                return false;
            }
            if (idles < SPINS)
            {
                Thread.onSpinWait();
                idles++;
            }
            else if (idles < SPINS + YIELDS)
            {
                Thread.yield();
                idles++;
            }
            else
            {
                // Published before the last look: a completion either is seen by that look or sees this thread.
                parkedThread = Thread.currentThread();
                if (!ready.getAsBoolean())
                {
                    LockSupport.parkNanos(maxParkNs);
                }
                parkedThread = null;
            }
        }
        return true;
    }

    /**
     * Wake the waiting thread if it is parked; call after a completion changed what {@code ready} answers.
     */
    void wake()
    {
        final Thread parked = parkedThread;
        if (null != parked)
        {
            LockSupport.unpark(parked);
        }
    }
}
