package io.datacake.perf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Decides, for each operation the client threads are about to issue, whether it is warm-up, measured, or past the
 * end. Warm-up lasts a number of operations or a time; the measurement a number of operations (exactly that many
 * are measured, whatever the threads) or a time. Times are compared with the operation's intended start, so a
 * rate-limited run measures the schedule, not when a late thread got round to it. Thread safe.
 */
final class MeasurementWindow
{
    /** The operation warms up: issue it, do not record it. */
    static final int WARMUP = 0;
    /** The operation is measured: issue and record it. */
    static final int MEASURE = 1;
    /** The run is over: issue nothing more. */
    static final int END = 2;

    /** No count given: the phase is timed. */
    static final long TIMED = -1;

    private static final long NOT_STARTED = Long.MIN_VALUE;

    /** Shortest wait before an intended start that parks rather than yields. */
    private static final long PARK_THRESHOLD_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final long warmupOps;
    private final long warmupNs;
    private final long measuredOps;
    private final long durationNs;
    private final AtomicLong warmupTickets = new AtomicLong();
    private final AtomicLong measuredTickets = new AtomicLong();
    private final AtomicLong measureStartNs = new AtomicLong(NOT_STARTED);
    private volatile long startNs;
    private volatile boolean stopped;

    /**
     * @param warmupOps   operations to warm up with, or {@link #TIMED} to warm up for warmupNs.
     * @param warmupNs    warm-up time when warmupOps is {@link #TIMED}.
     * @param measuredOps operations to measure, or {@link #TIMED} to measure for durationNs.
     * @param durationNs  measured time when measuredOps is {@link #TIMED}.
     */
    MeasurementWindow(final long warmupOps, final long warmupNs, final long measuredOps, final long durationNs)
    {
        this.warmupOps = warmupOps;
        this.warmupNs = warmupNs;
        this.measuredOps = measuredOps;
        this.durationNs = durationNs;
    }

    /**
     * Start the clock of a timed warm-up.
     *
     * @param nowNs {@link System#nanoTime()} at the start of the run.
     */
    void start(final long nowNs)
    {
        startNs = nowNs;
    }

    /**
     * End the run early: every later {@link #next} answers {@link #END}. Safe from any thread.
     */
    void stop()
    {
        stopped = true;
    }

    /**
     * @return true when {@link #stop()} ended the run.
     */
    boolean stopped()
    {
        return stopped;
    }

    /**
     * Take the next operation's place.
     *
     * @param intendedStartNs when the operation is meant to start ({@link System#nanoTime()}).
     * @return {@link #WARMUP}, {@link #MEASURE} or {@link #END}.
     */
    int next(final long intendedStartNs)
    {
        if (stopped)
        {
            return END;
        }
        if (NOT_STARTED == measureStartNs.get())
        {
            final boolean warming = TIMED == warmupOps ?
                intendedStartNs - startNs < warmupNs : warmupTickets.getAndIncrement() < warmupOps;
            if (warming)
            {
                return WARMUP;
            }
            measureStartNs.compareAndSet(NOT_STARTED, intendedStartNs);
        }
        if (TIMED == measuredOps)
        {
            return intendedStartNs - measureStartNs.get() < durationNs ? MEASURE : END;
        }
        return measuredTickets.getAndIncrement() < measuredOps ? MEASURE : END;
    }

    /**
     * @return true once the first measured operation took its place.
     */
    boolean measuring()
    {
        return NOT_STARTED != measureStartNs.get();
    }

    /**
     * @return when the measurement started ({@link System#nanoTime()}), meaningful once {@link #measuring()}.
     */
    long measureStartNs()
    {
        return measureStartNs.get();
    }

    /**
     * Wait on the calling client thread until an operation's intended start on a fixed schedule: parks while it is
     * far, yields when it is near.
     *
     * @param intendedStartNs when the operation is meant to start ({@link System#nanoTime()}).
     * @return true at the intended start, false when {@link #stop()} ended the run while waiting.
     */
    boolean awaitStart(final long intendedStartNs)
    {
        long remainingNs;
        while ((remainingNs = intendedStartNs - System.nanoTime()) > 0)
        {
            if (stopped)
            {
                return false;
            }
            if (remainingNs > PARK_THRESHOLD_NS)
            {
                LockSupport.parkNanos(remainingNs - PARK_THRESHOLD_NS / 2);
            }
            else
            {
                Thread.yield();
            }
        }
        return true;
    }
}
