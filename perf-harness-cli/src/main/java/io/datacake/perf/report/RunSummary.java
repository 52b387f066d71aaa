package io.datacake.perf.report;

import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One run as a page shows it: the figures of {@code summary.json} plus each operation's percentile curves. The
 * writer derives it from {@link RunData}; {@code perf-harness report} reads it back from a run's directory, so both
 * pages are drawn from the same thing.
 *
 * @param label        the run's name on a page (its directory's name).
 * @param commandLine  the arguments the run was started with.
 * @param startEpochMs when measurement started, epoch milliseconds.
 * @param endEpochMs   when measurement ended, epoch milliseconds.
 * @param settings     the run's settings by name.
 * @param machine      the machine it ran on.
 * @param operations   per operation name, in report order.
 * @param convergenceMs how long the replicas took to converge, empty if not measured.
 * @param memory       memory at the end of the run.
 * @param thresholds   thresholds checked.
 */
record RunSummary(
    String label,
    List<String> commandLine,
    long startEpochMs,
    long endEpochMs,
    Map<String, String> settings,
    RunData.Machine machine,
    Map<String, OperationSummary> operations,
    OptionalLong convergenceMs,
    RunData.Memory memory,
    List<RunData.Threshold> thresholds)
{
    /**
     * One operation's figures.
     *
     * @param corrected           corrected latency.
     * @param uncorrected         uncorrected latency.
     * @param throughputPerSecond operations completed per second over the whole measurement.
     * @param errorsByKind        failed operations by kind.
     * @param intervals           throughput per interval, in time order.
     * @param correctedCurve      corrected percentile distribution.
     * @param uncorrectedCurve    uncorrected percentile distribution.
     */
    record OperationSummary(
        LatencyStats corrected,
        LatencyStats uncorrected,
        double throughputPerSecond,
        Map<String, Long> errorsByKind,
        List<IntervalSummary> intervals,
        PercentileDistribution correctedCurve,
        PercentileDistribution uncorrectedCurve)
    {
        long errorCount()
        {
            long total = 0;
            for (final long count : errorsByKind.values())
            {
                total += count;
            }
            return total;
        }
    }

    /**
     * Latency figures of one histogram, microseconds.
     *
     * @param count  values recorded.
     * @param meanUs mean.
     * @param p50Us  median.
     * @param p90Us  90th percentile.
     * @param p99Us  99th percentile.
     * @param p999Us 99.9th percentile.
     * @param maxUs  largest value.
     */
    record LatencyStats(long count, double meanUs, double p50Us, double p90Us, double p99Us, double p999Us, double maxUs)
    {
        /**
         * @param histogram latency in nanoseconds.
         * @return its figures in microseconds; all zero for an empty histogram.
         */
        static LatencyStats of(final Histogram histogram)
        {
            if (histogram.getTotalCount() == 0)
            {
                return new LatencyStats(0, 0, 0, 0, 0, 0, 0);
            }
            return new LatencyStats(
                histogram.getTotalCount(),
                histogram.getMean() / PercentileDistribution.NANOS_PER_MICRO,
                micros(histogram.getValueAtPercentile(50)),
                micros(histogram.getValueAtPercentile(90)),
                micros(histogram.getValueAtPercentile(99)),
                micros(histogram.getValueAtPercentile(99.9)),
                micros(histogram.getMaxValue()));
        }

        private static double micros(final long nanos)
        {
            return nanos / PercentileDistribution.NANOS_PER_MICRO;
        }
    }

    /**
     * Operations completed in one interval.
     *
     * @param startEpochMs        interval start, epoch milliseconds.
     * @param endEpochMs          interval end, epoch milliseconds.
     * @param count               operations completed in it.
     * @param throughputPerSecond operations completed per second in it.
     */
    record IntervalSummary(long startEpochMs, long endEpochMs, long count, double throughputPerSecond)
    {
    }

    /**
     * Derive what the pages show from what a run measured.
     *
     * @param label the run's name on a page.
     * @param run   what it measured.
     * @return its summary.
     */
    static RunSummary of(final String label, final RunData run)
    {
        final RunData.Metadata metadata = run.metadata();
        final Map<String, OperationSummary> operations = new LinkedHashMap<>();
        for (final Map.Entry<String, RunData.Operation> entry : run.operations().entrySet())
        {
            final RunData.Operation operation = entry.getValue();
            final List<IntervalSummary> intervals = operation.intervals().stream()
                .map((interval) -> new IntervalSummary(interval.startEpochMs(), interval.endEpochMs(),
                    interval.histogram().getTotalCount(), interval.throughputPerSecond()))
                .toList();
            final long durationMs = metadata.durationMs();
            final double throughput = durationMs == 0 ? 0 :
                operation.uncorrected().getTotalCount() * 1000.0 / durationMs;
            operations.put(entry.getKey(), new OperationSummary(
                LatencyStats.of(operation.corrected()),
                LatencyStats.of(operation.uncorrected()),
                throughput,
                operation.errorsByKind(),
                intervals,
                PercentileDistribution.of(operation.corrected()),
                PercentileDistribution.of(operation.uncorrected())));
        }
        return new RunSummary(label, metadata.commandLine(), metadata.startEpochMs(), metadata.endEpochMs(),
            metadata.settings(), metadata.machine(), operations, run.convergence(), run.memory(), run.thresholds());
    }

    /**
     * @return operations completed per second over all operations.
     */
    double throughputPerSecond()
    {
        double total = 0;
        for (final OperationSummary operation : operations.values())
        {
            total += operation.throughputPerSecond();
        }
        return total;
    }
}
