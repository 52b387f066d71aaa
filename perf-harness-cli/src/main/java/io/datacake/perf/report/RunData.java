package io.datacake.perf.report;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * Everything a finished {@code perf-harness run} measured, handed to {@link RunReportWriter}. A plain record: the
 * run fills it, the writer only reads it. Latency histograms are in nanoseconds.
 *
 * @param metadata      how and where the run ran.
 * @param operations    per operation name (put, get, delete), its latency.
 * @param throughput    operations completed per interval, oldest first.
 * @param errorsByKind  failed operations per kind (consistency, timeout, back-pressure, other).
 * @param convergenceMs time from the last acknowledged write until every replica held every last write, or -1 when
 *                      that did not happen within the run's deadline.
 * @param memoryBytes   memory figures by name, in bytes.
 */
public record RunData(
    Metadata metadata,
    Map<String, OperationData> operations,
    List<IntervalThroughput> throughput,
    Map<String, Long> errorsByKind,
    long convergenceMs,
    Map<String, Long> memoryBytes)
{
    /**
     * How and where the run ran.
     *
     * @param commandLine  the command line as given.
     * @param startEpochMs when the run started.
     * @param endEpochMs   when it ended.
     * @param settings     every setting by option name, defaults included.
     * @param cores        processors available to the JVM.
     * @param jdk          the JDK's vendor and version.
     */
    public record Metadata(
        String commandLine, long startEpochMs, long endEpochMs, Map<String, String> settings, int cores, String jdk)
    {
    }

    /**
     * One operation's latency.
     *
     * @param corrected   the whole measurement, from each operation's intended start.
     * @param uncorrected the whole measurement, from each operation's actual start.
     * @param intervals   per interval, oldest first.
     */
    public record OperationData(Histogram corrected, Histogram uncorrected, List<IntervalHistograms> intervals)
    {
    }

    /**
     * One interval of one operation.
     *
     * @param startEpochMs when the interval started.
     * @param endEpochMs   when it ended.
     * @param corrected    latency from the intended start.
     * @param uncorrected  latency from the actual start.
     */
    public record IntervalHistograms(long startEpochMs, long endEpochMs, Histogram corrected, Histogram uncorrected)
    {
    }

    /**
     * Operations completed in one interval, every kind together, successes only.
     *
     * @param startEpochMs when the interval started.
     * @param endEpochMs   when it ended.
     * @param operations   operations completed.
     */
    public record IntervalThroughput(long startEpochMs, long endEpochMs, long operations)
    {
        /**
         * @return operations per second over the interval, 0 for an empty interval.
         */
        public double perSecond()
        {
            final long ms = endEpochMs - startEpochMs;
            return ms > 0 ? operations * 1000.0 / ms : 0;
        }
    }
}
