package io.datacake.perf;

import org.HdrHistogram.Histogram;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a run measured, for the report, the thresholds and the report writer.
 *
 * @param sampler         the interval histograms and their totals.
 * @param errors          failed measured operations by kind, every operation together.
 * @param errorsByOperation failed measured operations per operation by kind.
 * @param measureStartEpochMs when the measurement started (the first measured operation's intended start).
 * @param measureEndEpochMs   when the measurement ended (the drain's end).
 * @param measuredNs      from the first measured operation's intended start to the last one's completion; 0 when
 *                        nothing was measured.
 * @param stillInFlight   operations that had not completed when the drain gave up.
 * @param convergenceMs   time from the end of the drain until every replica held every last write; -1 when not
 *                        within the deadline, -2 when not checked (no writes, or stopped before the drain).
 * @param entriesPerNode  entries (live and tombstones) each node held at the end.
 * @param memory          memory figures at the end of the measurement, or null when not taken.
 * @param stopped         true when a signal ended the run early: the figures are partial.
 */
record RunResult(
    IntervalSampler sampler,
    Map<ErrorKind, Long> errors,
    Map<Operation, Map<ErrorKind, Long>> errorsByOperation,
    long measureStartEpochMs,
    long measureEndEpochMs,
    long measuredNs,
    int stillInFlight,
    long convergenceMs,
    List<Long> entriesPerNode,
    MemoryFigures memory,
    boolean stopped)
{
    /** {@link #convergenceMs()} when the replicas did not converge within the deadline. */
    static final long NOT_CONVERGED = -1;

    /** {@link #convergenceMs()} when convergence was not checked. */
    static final long NOT_CHECKED = -2;

    /**
     * @param operation an operation, or null for all.
     * @param corrected the corrected series, or the uncorrected one.
     * @return its latency over the whole measurement (a new histogram for all).
     */
    Histogram latency(final Operation operation, final boolean corrected)
    {
        if (null != operation)
        {
            return sampler.total(operation, corrected);
        }
        final Histogram[] totals = new Histogram[Operation.values().length];
        for (final Operation each : Operation.values())
        {
            totals[each.ordinal()] = sampler.total(each, corrected);
        }
        return IntervalSampler.sum(totals);
    }

    /**
     * @param operation an operation, or null for all.
     * @return successful operations per second of measurement, 0 when nothing was measured.
     */
    double throughput(final Operation operation)
    {
        return measuredNs > 0 ? latency(operation, true).getTotalCount() / (measuredNs / 1e9) : 0;
    }

    /**
     * @param operation an operation.
     * @return its successful measured operations.
     */
    long succeeded(final Operation operation)
    {
        return sampler.total(operation, true).getTotalCount();
    }

    /**
     * @return failed measured operations of every kind.
     */
    long failed()
    {
        long failed = 0;
        for (final long count : errors.values())
        {
            failed += count;
        }
        return failed;
    }

    /**
     * The value of a threshold's statistic in this run.
     *
     * @param threshold the threshold.
     * @return nanoseconds for latency (corrected series), operations per second for throughput.
     */
    double measure(final Threshold threshold)
    {
        if (Threshold.Stat.THROUGHPUT == threshold.stat())
        {
            return throughput(threshold.operation());
        }
        final Histogram histogram = latency(threshold.operation(), true);
        return Threshold.Stat.MAX == threshold.stat() ?
            histogram.getMaxValue() : histogram.getValueAtPercentile(threshold.stat().percentile());
    }

    /**
     * @param recorders where the failures were counted.
     * @param operation an operation, or null for every operation together.
     * @return failures by kind.
     */
    static Map<ErrorKind, Long> errorsOf(final LatencyRecorders recorders, final Operation operation)
    {
        final Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        for (final ErrorKind kind : ErrorKind.values())
        {
            errors.put(kind, null == operation ? recorders.errors(kind) : recorders.errors(operation, kind));
        }
        return errors;
    }

    /**
     * @param recorders where the failures were counted.
     * @return failures per operation by kind.
     */
    static Map<Operation, Map<ErrorKind, Long>> errorsByOperationOf(final LatencyRecorders recorders)
    {
        final Map<Operation, Map<ErrorKind, Long>> errors = new EnumMap<>(Operation.class);
        for (final Operation operation : Operation.values())
        {
            errors.put(operation, errorsOf(recorders, operation));
        }
        return errors;
    }
}
