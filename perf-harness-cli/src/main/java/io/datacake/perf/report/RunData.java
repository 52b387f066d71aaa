package io.datacake.perf.report;

import org.HdrHistogram.Histogram;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Everything one {@code perf-harness run} measured, as {@link RunReportWriter} writes it out: what ran and where,
 * latency per operation, errors, convergence, memory and the thresholds checked.
 * <p>
 * Latency histograms are recorded in <b>nanoseconds</b>. The histograms are not copied: the run hands them over
 * when it has finished recording and must not record into them afterwards. Maps keep the caller's iteration order
 * (operations appear in the report in that order); lists and maps are copied and unmodifiable.
 *
 * @param metadata   what ran, when, with which settings, on which machine.
 * @param operations per operation name ({@code put}, {@code get}, {@code delete}): its latency and errors.
 * @param convergence how long the replicas took to converge after the load stopped, empty if not measured.
 * @param memory     memory figures at the end of the run.
 * @param thresholds thresholds checked against the results, in the order given on the command line.
 */
public record RunData(
    Metadata metadata,
    Map<String, Operation> operations,
    OptionalLong convergence,
    Memory memory,
    List<Threshold> thresholds)
{
    /** A memory figure that was not measured. */
    public static final long NOT_MEASURED = -1;

    /** Longest operation name: it names the operation's files. */
    public static final int MAX_OPERATION_NAME_LENGTH = 64;

    private static final Pattern OPERATION_NAME =
        Pattern.compile("[A-Za-z0-9_-]{1," + MAX_OPERATION_NAME_LENGTH + "}");

    /**
     * Copy the collections and check that nothing is missing.
     *
     * @throws NullPointerException     if an argument, an operation name or an operation is null.
     * @throws IllegalArgumentException if there is no operation or an operation's name is not 1..{@link
     *                                  #MAX_OPERATION_NAME_LENGTH} letters, digits, '_' or '-' (it names files).
     */
    public RunData
    {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(convergence, "convergence (use OptionalLong.empty() when not measured)");
        Objects.requireNonNull(memory, "memory");
        operations = orderedCopy(operations, "operations");
        if (operations.isEmpty())
        {
            throw new IllegalArgumentException("a run needs at least one operation's latency");
        }
        for (final String name : operations.keySet())
        {
            if (!OPERATION_NAME.matcher(name).matches())
            {
                throw new IllegalArgumentException("operation name '" + name + "' is not usable in file names: " +
                    "use 1.." + MAX_OPERATION_NAME_LENGTH + " letters, digits, '_' or '-'");
            }
        }
        thresholds = List.copyOf(thresholds);
    }

    /**
     * What ran, when and where.
     *
     * @param commandLine  the arguments the run was started with, e.g. {@code ["run", "--nodes", "3"]}.
     * @param startEpochMs when measurement started, epoch milliseconds.
     * @param endEpochMs   when measurement ended, epoch milliseconds.
     * @param settings     the run's effective settings by name (option name or key, value as text).
     * @param machine      the machine it ran on.
     */
    public record Metadata(
        List<String> commandLine, long startEpochMs, long endEpochMs, Map<String, String> settings, Machine machine)
    {
        /**
         * Copy the collections and check the times.
         *
         * @throws NullPointerException     if an argument, a setting's name or value is null.
         * @throws IllegalArgumentException if the run ends before it starts.
         */
        public Metadata
        {
            commandLine = List.copyOf(commandLine);
            settings = orderedCopy(settings, "settings");
            Objects.requireNonNull(machine, "machine");
            if (endEpochMs < startEpochMs)
            {
                throw new IllegalArgumentException(
                    "the run ends (" + endEpochMs + " ms) before it starts (" + startEpochMs + " ms)");
            }
        }

        /**
         * @return measured time in milliseconds.
         */
        public long durationMs()
        {
            return endEpochMs - startEpochMs;
        }
    }

    /**
     * The machine a run ran on.
     *
     * @param cores available processors.
     * @param jdk   Java runtime, e.g. vendor and version.
     * @param os    operating system name, version and architecture.
     */
    public record Machine(int cores, String jdk, String os)
    {
        /**
         * Check that nothing is missing.
         *
         * @throws NullPointerException if jdk or os is null.
         */
        public Machine
        {
            Objects.requireNonNull(jdk, "jdk");
            Objects.requireNonNull(os, "os");
        }

        /**
         * @return this JVM's machine: available processors, {@code java.vm.vendor java.runtime.version},
         * {@code os.name os.version os.arch}.
         */
        public static Machine current()
        {
            return new Machine(
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
                System.getProperty("os.arch"));
        }
    }

    /**
     * One operation's latency (nanoseconds) and errors.
     *
     * @param corrected    latency over the whole measurement, corrected for coordinated omission (measured from
     *                     when each operation should have started, or with values filled in for the operations a
     *                     stall held back).
     * @param uncorrected  latency over the whole measurement, measured from when each operation was sent: one value
     *                     per completed operation, so its count is the number of operations completed.
     * @param intervals    latency per interval, in time order, as recorded during the run: one value per operation
     *                     completed in the interval (no filled-in values), so each count gives its throughput.
     * @param errorsByKind failed operations counted by kind (e.g. {@code timeout}), in the caller's order.
     */
    public record Operation(
        Histogram corrected, Histogram uncorrected, List<Interval> intervals, Map<String, Long> errorsByKind)
    {
        /**
         * Copy the collections and check that nothing is missing.
         *
         * @throws NullPointerException if an argument, an interval, an error kind or count is null.
         */
        public Operation
        {
            Objects.requireNonNull(corrected, "corrected");
            Objects.requireNonNull(uncorrected, "uncorrected");
            intervals = List.copyOf(intervals);
            errorsByKind = orderedCopy(errorsByKind, "errorsByKind");
        }
    }

    /**
     * Latency recorded over one interval of the run.
     *
     * @param startEpochMs interval start, epoch milliseconds.
     * @param endEpochMs   interval end, epoch milliseconds.
     * @param histogram    latency of the operations completed in the interval, nanoseconds.
     */
    public record Interval(long startEpochMs, long endEpochMs, Histogram histogram)
    {
        /**
         * Check the times.
         *
         * @throws NullPointerException     if histogram is null.
         * @throws IllegalArgumentException if the interval ends before it starts.
         */
        public Interval
        {
            Objects.requireNonNull(histogram, "histogram");
            if (endEpochMs < startEpochMs)
            {
                throw new IllegalArgumentException(
                    "interval ends (" + endEpochMs + " ms) before it starts (" + startEpochMs + " ms)");
            }
        }

        /**
         * @return operations completed per second in this interval, 0 for an empty interval of no length.
         */
        public double throughputPerSecond()
        {
            final long lengthMs = endEpochMs - startEpochMs;
            return lengthMs == 0 ? 0 : histogram.getTotalCount() * 1000.0 / lengthMs;
        }
    }

    /**
     * Memory at the end of the run; a figure not measured is {@link #NOT_MEASURED}.
     *
     * @param heapUsedBytes   Java heap in use.
     * @param directBytes     direct and other off-heap memory the process allocated (buffers, CRDT sets).
     * @param aeronFilesBytes size of the Aeron log buffer and CnC files.
     */
    public record Memory(long heapUsedBytes, long directBytes, long aeronFilesBytes)
    {
        /** No memory figure measured. */
        public static final Memory UNKNOWN = new Memory(NOT_MEASURED, NOT_MEASURED, NOT_MEASURED);
    }

    /**
     * A threshold checked against the results.
     *
     * @param expression the threshold as given, e.g. {@code put.p99<5ms}.
     * @param actual     the measured value it was compared with, in the expression's unit.
     * @param pass       whether the result met the threshold.
     */
    public record Threshold(String expression, double actual, boolean pass)
    {
        /**
         * Check that nothing is missing.
         *
         * @throws NullPointerException if expression is null.
         */
        public Threshold
        {
            Objects.requireNonNull(expression, "expression");
        }
    }

    /**
     * @return true if every threshold passed (also when there is none).
     */
    public boolean thresholdsPassed()
    {
        for (final Threshold threshold : thresholds)
        {
            if (!threshold.pass())
            {
                return false;
            }
        }
        return true;
    }

    private static <V> Map<String, V> orderedCopy(final Map<String, V> map, final String what)
    {
        Objects.requireNonNull(map, what);
        final Map<String, V> copy = new LinkedHashMap<>();
        for (final Map.Entry<String, V> entry : map.entrySet())
        {
            copy.put(
                Objects.requireNonNull(entry.getKey(), what + " key"),
                Objects.requireNonNull(entry.getValue(), what + " value for " + entry.getKey()));
        }
        return Collections.unmodifiableMap(copy);
    }
}
