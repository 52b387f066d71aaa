package io.datacake.perf;

import io.datacake.perf.report.RunData;
import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The text a run prints: the status line of an interval, the markdown report at the end, and the data handed to
 * the report writer.
 */
final class RunReport
{
    private RunReport()
    {
    }

    /**
     * One interval on one line: its number, successful operations, their rate, and the corrected p50 and p99 of
     * every operation together.
     */
    static String statusLine(
        final IntervalSampler.Interval interval, final long number, final LatencyRecorders recorders)
    {
        final long ms = Math.max(1, interval.endEpochMs() - interval.startEpochMs());
        final Histogram all = interval.allCorrected();
        long errors = 0;
        for (final ErrorKind kind : ErrorKind.values())
        {
            errors += recorders.errors(kind);
        }
        return String.format(Locale.ROOT, "[%4d] ops %,d  ops/s %,.0f  p50 %s µs  p99 %s µs  errors so far %,d",
            number, interval.operations(), interval.operations() * 1000.0 / ms,
            micros(all.getValueAtPercentile(50)), micros(all.getValueAtPercentile(99)), errors);
    }

    /**
     * The report: thresholds first, then the set-up, throughput and latency per operation, errors by kind,
     * convergence and memory.
     */
    static String markdown(final RunCommand command, final RunResult result, final List<Threshold> thresholds)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "# perf-harness run, %s%n%n", Instant.now()));
        if (!thresholds.isEmpty())
        {
            sb.append("| threshold | measured | result |\n|---|---|---|\n");
            for (final Threshold threshold : thresholds)
            {
                final double measured = result.measure(threshold);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", threshold.text(),
                    threshold.format(measured), threshold.holds(measured) ? "pass" : "FAIL"));
            }
            sb.append('\n');
        }
        sb.append(command.describeSetup()).append("\n\n");
        if (result.stopped())
        {
            sb.append(result.measuredNs() > 0 ?
                String.format(Locale.ROOT, "**Partial**: stopped by a signal after %.1f s of measurement.%n%n",
                    result.measuredNs() / 1e9) :
                String.format("**Partial**: stopped by a signal during the warm-up; nothing was measured.%n%n"));
        }

        sb.append(String.format(Locale.ROOT, "Measured %.2f s: %,d operations succeeded, %,.0f ops/s; %,d failed; " +
            "%,d still in flight after the drain.%n%n", result.measuredNs() / 1e9,
            result.latency(null, true).getTotalCount(), result.throughput(null), result.failed(),
            result.stillInFlight()));
        sb.append("| operation | latency from | ok | ops/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (final Operation operation : Operation.values())
        {
            if (result.succeeded(operation) > 0)
            {
                latencyRows(sb, command, result, operation);
            }
        }
        latencyRows(sb, command, result, null);

        sb.append(String.format(Locale.ROOT, "%nerrors: "));
        for (final ErrorKind kind : ErrorKind.values())
        {
            sb.append(String.format(Locale.ROOT, "%s %,d%s", kind, result.errors().get(kind),
                kind.ordinal() == ErrorKind.values().length - 1 ? "\n" : ", "));
        }

        sb.append(String.format(Locale.ROOT, "%nreplicas converged: %s%n", convergence(result)));
        sb.append(String.format(Locale.ROOT, "entries per node (live and tombstones): %s%n", result.entriesPerNode()));

        final MemoryFigures memory = result.memory();
        sb.append(String.format(Locale.ROOT, "%nmemory at the end of the measurement (this JVM, every node): heap %s " +
            "used of %s committed; direct buffers %s; mapped files %s; on disk: Aeron directories %s, storage %s " +
            "(not counted: native allocations of the storages, Unsafe-allocated set and tree tables)%n",
            mib(memory.heapUsedBytes()), mib(memory.heapCommittedBytes()), mib(memory.directBufferBytes()),
            mib(memory.mappedBufferBytes()), mib(memory.aeronFileBytes()), mib(memory.dataFileBytes())));
        return sb.toString();
    }

    /**
     * The table that ends a run of several security modes: a row per mode with its throughput (every operation) and
     * its put latency (every operation's if no put succeeded in some mode), corrected, each with its ratio to the
     * {@code off} run, or to the first mode's run when {@code off} was not among them.
     *
     * @param results one per mode, in the order run.
     * @param modes   the modes, in the same order.
     * @return the markdown table, with a heading line.
     */
    static String securityComparison(final List<RunResult> results, final List<SecurityMode> modes)
    {
        final int baseIndex = Math.max(0, modes.indexOf(SecurityMode.OFF));
        final RunResult base = results.get(baseIndex);
        boolean puts = true;
        for (final RunResult result : results)
        {
            puts &= result.succeeded(Operation.PUT) > 0;
        }
        final Operation latencyOf = puts ? Operation.PUT : null;
        final String name = puts ? "put" : "all";
        final Histogram baseLatency = base.latency(latencyOf, true);
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "## Security modes, ratio to %s%n%n", modes.get(baseIndex)));
        sb.append(String.format(Locale.ROOT, "| security | ops/s | ops/s ratio | %1$s p50 µs | %1$s p50 ratio | " +
            "%1$s p99 µs | %1$s p99 ratio |%n", name));
        sb.append("|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < results.size(); i++)
        {
            final RunResult result = results.get(i);
            final Histogram latency = result.latency(latencyOf, true);
            sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s | %s | %s | %s |%n", modes.get(i),
                result.throughput(null), ratio(result.throughput(null), base.throughput(null)),
                micros(latency.getValueAtPercentile(50)),
                ratio(latency.getValueAtPercentile(50), baseLatency.getValueAtPercentile(50)),
                micros(latency.getValueAtPercentile(99)),
                ratio(latency.getValueAtPercentile(99), baseLatency.getValueAtPercentile(99))));
        }
        return sb.toString();
    }

    private static String ratio(final double value, final double base)
    {
        return base > 0 ? String.format(Locale.ROOT, "%.2f", value / base) : "-";
    }

    /**
     * The run as the report writer takes it: per operation (those the mix issues), the corrected and uncorrected
     * totals, the corrected interval histograms (one value per operation completed in the interval) and the errors
     * by kind. Convergence is empty when it was not checked or not reached within the deadline.
     */
    static RunData data(final RunCommand command, final RunResult result, final List<Threshold> thresholds)
    {
        final IntervalSampler sampler = result.sampler();
        final Map<String, RunData.Operation> operations = new LinkedHashMap<>();
        for (final Operation operation : Operation.values())
        {
            if (0 == command.operationWeight(operation))
            {
                continue;
            }
            final List<RunData.Interval> intervals = new ArrayList<>();
            for (final IntervalSampler.Interval interval : sampler.intervals())
            {
                intervals.add(new RunData.Interval(interval.startEpochMs(), interval.endEpochMs(),
                    interval.corrected()[operation.ordinal()]));
            }
            final Map<String, Long> errors = new LinkedHashMap<>();
            result.errorsByOperation().get(operation).forEach((kind, count) -> errors.put(kind.toString(), count));
            operations.put(operation.toString(), new RunData.Operation(
                sampler.total(operation, true), sampler.total(operation, false), intervals, errors));
        }
        final List<String> commandLine = new ArrayList<>();
        commandLine.add(command.spec.name());
        commandLine.addAll(command.spec.commandLine().getParseResult().originalArgs());
        final RunData.Metadata metadata = new RunData.Metadata(commandLine, result.measureStartEpochMs(),
            result.measureEndEpochMs(), command.settings(), RunData.Machine.current());
        final List<RunData.Threshold> checked = new ArrayList<>();
        for (final Threshold threshold : thresholds)
        {
            final double measured = result.measure(threshold);
            checked.add(new RunData.Threshold(threshold.text(), threshold.inUnit(measured), threshold.holds(measured)));
        }
        final MemoryFigures memory = result.memory();
        return new RunData(metadata, operations,
            result.convergenceMs() >= 0 ? OptionalLong.of(result.convergenceMs()) : OptionalLong.empty(),
            new RunData.Memory(memory.heapUsedBytes(), memory.directBufferBytes(), memory.aeronFileBytes()),
            checked);
    }

    private static void latencyRows(
        final StringBuilder sb, final RunCommand command, final RunResult result, final Operation operation)
    {
        final String name = null == operation ? "all" : operation.toString();
        latencyRow(sb, name, command.rateLimited() ? "intended start" : "start", result.latency(operation, true),
            result.throughput(operation));
        if (command.rateLimited())
        {
            latencyRow(sb, name, "actual start", result.latency(operation, false), result.throughput(operation));
        }
    }

    private static void latencyRow(
        final StringBuilder sb, final String name, final String from, final Histogram h, final double opsPerSecond)
    {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,.0f | %s | %s | %s | %s | %s |%n", name, from,
            h.getTotalCount(), opsPerSecond, micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(90)),
            micros(h.getValueAtPercentile(99)), micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue())));
    }

    private static String convergence(final RunResult result)
    {
        if (RunResult.NOT_CHECKED == result.convergenceMs())
        {
            return "not checked (no writes measured, or --converge-timeout 0)";
        }
        if (RunResult.NOT_CONVERGED == result.convergenceMs())
        {
            return "NO, not within --converge-timeout after the last write completed";
        }
        return String.format(Locale.ROOT, "yes, every replica held every last write %,d ms after the last " +
            "write completed (content-tree digests polled on every node, then storage digests compared)",
            result.convergenceMs());
    }

    private static String micros(final long nanos)
    {
        return String.format(Locale.ROOT, "%.1f", nanos / 1_000.0);
    }

    private static String mib(final long bytes)
    {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
