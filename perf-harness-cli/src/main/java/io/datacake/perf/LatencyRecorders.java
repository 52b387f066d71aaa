package io.datacake.perf;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where measured operations are recorded, from any thread (client threads for reads, node threads for writes): per
 * operation one HdrHistogram {@link Recorder} of latency from the intended start (corrected for coordinated
 * omission, as wrk2 does) and one from the actual start (uncorrected), in nanoseconds, and failures by kind. In an
 * unthrottled run both starts are the same. The recorders have a fixed range (packed or auto-resizing concurrent
 * histograms are avoided: HdrHistogram's packed concurrent array can spin forever in a writer, which here would be a
 * node thread), and recycle their interval histograms.
 */
final class LatencyRecorders
{
    /** Longest latency recorded: an hour; longer ones are recorded as this. */
    static final long MAX_LATENCY_NS = TimeUnit.HOURS.toNanos(1);

    /** Significant decimal digits the histograms keep. */
    static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder[] corrected = new Recorder[Operation.values().length];
    private final Recorder[] uncorrected = new Recorder[Operation.values().length];
    private final AtomicLongArray errors = new AtomicLongArray(Operation.values().length * ErrorKind.values().length);

    LatencyRecorders()
    {
        for (int i = 0; i < corrected.length; i++)
        {
            corrected[i] = new Recorder(MAX_LATENCY_NS, SIGNIFICANT_DIGITS);
            uncorrected[i] = new Recorder(MAX_LATENCY_NS, SIGNIFICANT_DIGITS);
        }
    }

    /**
     * Record a measured operation that succeeded.
     *
     * @param operation       what it was.
     * @param intendedStartNs when it was meant to start.
     * @param actualStartNs   when it was issued.
     * @param endNs           when it completed.
     */
    void record(final Operation operation, final long intendedStartNs, final long actualStartNs, final long endNs)
    {
        corrected[operation.ordinal()].recordValue(clamp(endNs - intendedStartNs));
        uncorrected[operation.ordinal()].recordValue(clamp(endNs - actualStartNs));
    }

    /**
     * Count a measured operation that failed.
     *
     * @param operation what it was.
     * @param kind      why it failed.
     */
    void fail(final Operation operation, final ErrorKind kind)
    {
        errors.incrementAndGet(operation.ordinal() * ErrorKind.values().length + kind.ordinal());
    }

    /**
     * @param operation an operation.
     * @param kind      an error kind.
     * @return failures of that operation and kind so far.
     */
    long errors(final Operation operation, final ErrorKind kind)
    {
        return errors.get(operation.ordinal() * ErrorKind.values().length + kind.ordinal());
    }

    /**
     * @param kind an error kind.
     * @return failures of that kind so far, every operation together.
     */
    long errors(final ErrorKind kind)
    {
        long count = 0;
        for (final Operation operation : Operation.values())
        {
            count += errors(operation, kind);
        }
        return count;
    }

    /**
     * Take what was recorded since the last call and start a new interval.
     *
     * @param operation   the operation.
     * @param isCorrected true for the corrected series, false for the uncorrected one.
     * @param recycle     the histogram the previous call returned, or null: reused, its contents replaced.
     * @return the interval's histogram, valid until it is passed back to this method.
     */
    Histogram takeInterval(final Operation operation, final boolean isCorrected, final Histogram recycle)
    {
        return (isCorrected ? corrected : uncorrected)[operation.ordinal()].getIntervalHistogram(recycle);
    }

    private static long clamp(final long latencyNs)
    {
        return Math.max(1, Math.min(latencyNs, MAX_LATENCY_NS));
    }
}
