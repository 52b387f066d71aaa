package io.datacake.perf;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Takes the recorders' interval histograms once per interval: keeps each interval (corrected and uncorrected, per
 * operation), adds them to the run's totals, and says what the interval held for the status line. Called from one
 * thread. Kept intervals are packed copies (memory in proportion to the values held); at most
 * {@link #MAX_INTERVALS} are kept, later ones still count in the totals.
 */
final class IntervalSampler
{
    /** Most intervals kept for the report: a day of one-second intervals. */
    static final int MAX_INTERVALS = 86_400;

    private final LatencyRecorders recorders;
    private final Histogram[] correctedTotals = new Histogram[Operation.values().length];
    private final Histogram[] uncorrectedTotals = new Histogram[Operation.values().length];
    private final Histogram[] correctedScratch = new Histogram[Operation.values().length];
    private final Histogram[] uncorrectedScratch = new Histogram[Operation.values().length];
    private final List<Interval> intervals = new ArrayList<>();
    private long intervalsDropped;
    private long previousEpochMs;

    /**
     * @param recorders what to sample.
     */
    IntervalSampler(final LatencyRecorders recorders)
    {
        this.recorders = recorders;
        for (int i = 0; i < correctedTotals.length; i++)
        {
            correctedTotals[i] = new Histogram(LatencyRecorders.MAX_LATENCY_NS, LatencyRecorders.SIGNIFICANT_DIGITS);
            uncorrectedTotals[i] = new Histogram(LatencyRecorders.MAX_LATENCY_NS, LatencyRecorders.SIGNIFICANT_DIGITS);
        }
    }

    /**
     * Set when the first interval starts.
     *
     * @param startEpochMs the time.
     */
    void begin(final long startEpochMs)
    {
        previousEpochMs = startEpochMs;
    }

    /**
     * End the current interval and start the next.
     *
     * @param nowEpochMs the time the interval ends.
     * @return the interval just ended.
     */
    Interval sample(final long nowEpochMs)
    {
        // The wall clock may step back; an interval never ends before it starts.
        final long endEpochMs = Math.max(nowEpochMs, previousEpochMs);
        final Histogram[] corrected = new Histogram[Operation.values().length];
        final Histogram[] uncorrected = new Histogram[Operation.values().length];
        for (final Operation operation : Operation.values())
        {
            final int i = operation.ordinal();
            correctedScratch[i] = recorders.takeInterval(operation, true, correctedScratch[i]);
            uncorrectedScratch[i] = recorders.takeInterval(operation, false, uncorrectedScratch[i]);
            corrected[i] = compact(correctedScratch[i]);
            uncorrected[i] = compact(uncorrectedScratch[i]);
            corrected[i].setStartTimeStamp(previousEpochMs);
            corrected[i].setEndTimeStamp(endEpochMs);
            uncorrected[i].setStartTimeStamp(previousEpochMs);
            uncorrected[i].setEndTimeStamp(endEpochMs);
            correctedTotals[i].add(corrected[i]);
            uncorrectedTotals[i].add(uncorrected[i]);
        }
        final Interval interval = new Interval(previousEpochMs, endEpochMs, corrected, uncorrected);
        previousEpochMs = endEpochMs;
        if (intervals.size() < MAX_INTERVALS)
        {
            intervals.add(interval);
        }
        else
        {
            intervalsDropped++;
        }
        return interval;
    }

    /**
     * A copy that takes memory in proportion to the values it holds, not to the histogram's range: a packed
     * histogram, used by this thread alone.
     */
    private static Histogram compact(final Histogram interval)
    {
        final PackedHistogram copy = new PackedHistogram(LatencyRecorders.SIGNIFICANT_DIGITS);
        copy.add(interval);
        return copy;
    }

    /**
     * @param parts histograms of the recorders' range.
     * @return a new histogram holding every value of the parts.
     */
    static Histogram sum(final Histogram[] parts)
    {
        final Histogram sum = new Histogram(LatencyRecorders.MAX_LATENCY_NS, LatencyRecorders.SIGNIFICANT_DIGITS);
        for (final Histogram part : parts)
        {
            sum.add(part);
        }
        return sum;
    }

    /**
     * @return the intervals kept, oldest first.
     */
    List<Interval> intervals()
    {
        return Collections.unmodifiableList(intervals);
    }

    /**
     * @return intervals not kept because {@link #MAX_INTERVALS} were.
     */
    long intervalsDropped()
    {
        return intervalsDropped;
    }

    /**
     * @param operation   an operation.
     * @param isCorrected the corrected series, or the uncorrected one.
     * @return every interval so far added up.
     */
    Histogram total(final Operation operation, final boolean isCorrected)
    {
        return (isCorrected ? correctedTotals : uncorrectedTotals)[operation.ordinal()];
    }

    /**
     * One interval: per operation, its corrected and uncorrected histograms (indexed by operation ordinal).
     *
     * @param startEpochMs when it started.
     * @param endEpochMs   when it ended.
     * @param corrected    latency from the intended start.
     * @param uncorrected  latency from the actual start.
     */
    record Interval(long startEpochMs, long endEpochMs, Histogram[] corrected, Histogram[] uncorrected)
    {
        /**
         * @return successful operations of every kind in the interval.
         */
        long operations()
        {
            long count = 0;
            for (final Histogram histogram : corrected)
            {
                count += histogram.getTotalCount();
            }
            return count;
        }

        /**
         * @return every operation's corrected latency in one histogram.
         */
        Histogram allCorrected()
        {
            return sum(corrected);
        }
    }
}
