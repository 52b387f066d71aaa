package io.datacake.perf.report;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Runs with known figures for the report tests: latencies that follow a fixed formula, so every percentile, count
 * and interval is known without randomness.
 */
final class SampleRuns
{
    static final long START_EPOCH_MS = 1_796_000_000_000L;
    static final int INTERVALS = 4;
    static final long INTERVAL_MS = 1_000;
    static final long EXPECTED_INTERVAL_NS = 200_000;

    private SampleRuns()
    {
    }

    static Histogram histogram()
    {
        return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }

    /**
     * A run of put (interval i has 1000 * (i + 1) operations, latency growing with i), get (500 per interval) and
     * delete (nothing recorded), with errors, convergence, memory and two thresholds.
     *
     * @param slowdown multiplies every latency, to tell two runs apart.
     */
    static RunData run(final long slowdown)
    {
        final Map<String, RunData.Operation> operations = new LinkedHashMap<>();
        operations.put("put", operation(1_000, 100_000, slowdown, true, Map.of("timeout", 3L)));
        operations.put("get", operation(500, 50_000, slowdown, false, Map.of()));
        operations.put("delete", new RunData.Operation(histogram(), histogram(), List.of(), Map.of()));

        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("nodes", "3");
        settings.put("transport", "AERON_IPC");
        settings.put("note", "quote \" backslash \\ newline \n tab \t control \u0001 unicode µ \u2028 <b>&amp;</b>");

        return new RunData(
            new RunData.Metadata(List.of("run", "--nodes", "3", "--note", "a \"b\""), START_EPOCH_MS,
                START_EPOCH_MS + INTERVALS * INTERVAL_MS, settings, new RunData.Machine(2, "Test JDK 17", "TestOS 1 x86")),
            operations,
            OptionalLong.of(42),
            new RunData.Memory(123L << 20, RunData.NOT_MEASURED, 75L << 20),
            List.of(new RunData.Threshold("put.p99<5ms", 4.5, true), new RunData.Threshold("get.errors==0", 0, true)));
    }

    private static RunData.Operation operation(
        final int perInterval, final long baseNs, final long slowdown, final boolean stall,
        final Map<String, Long> errors)
    {
        final Histogram corrected = histogram();
        final Histogram uncorrected = histogram();
        final List<RunData.Interval> intervals = new ArrayList<>();
        for (int i = 0; i < INTERVALS; i++)
        {
            final Histogram interval = histogram();
            final int count = perInterval * (i + 1);
            for (int n = 0; n < count; n++)
            {
                final long latencyNs = (baseNs + (long)n * 1_000 * (i + 1)) * slowdown;
                interval.recordValue(latencyNs);
                uncorrected.recordValue(latencyNs);
                corrected.recordValueWithExpectedInterval(latencyNs, stall ? EXPECTED_INTERVAL_NS : 0);
            }
            final long startMs = START_EPOCH_MS + i * INTERVAL_MS;
            intervals.add(new RunData.Interval(startMs, startMs + INTERVAL_MS, interval));
        }
        return new RunData.Operation(corrected, uncorrected, intervals, errors);
    }
}
