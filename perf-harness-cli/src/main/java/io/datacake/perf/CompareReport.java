package io.datacake.perf;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of a {@code perf-harness compare} run (markdown) and its data (JSON). Ratios divide each target's figure
 * by the first target's (datacake-java when it ran first): above 1 means more throughput, or more latency.
 */
final class CompareReport
{
    /** Percentiles of put latency in the table. */
    static final double[] PERCENTILES = { 50, 99, 99.9 };

    private CompareReport()
    {
    }

    /**
     * @param setup   one line describing the run's settings.
     * @param results each target's turn, the reference first.
     * @return the markdown report: the setup line and one table.
     */
    static String markdown(final String setup, final List<CompareResult> results)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("# perf-harness compare\n\n").append(setup).append("\n\n");
        if (results.isEmpty())
        {
            return sb.append("No target ran.\n").toString();
        }
        final CompareResult reference = results.get(0);
        sb.append("| target | puts ok | failed | throughput (ops/s) | p50 (us) | p99 (us) | p99.9 (us) | converged after |")
            .append(" throughput vs ").append(reference.target()).append(" | p50 vs | p99 vs | p99.9 vs |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final CompareResult result : results)
        {
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,.0f | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                result.target(), result.succeeded(), result.failed(), result.throughput(),
                micros(result.latencyNs(PERCENTILES[0])), micros(result.latencyNs(PERCENTILES[1])),
                micros(result.latencyNs(PERCENTILES[2])), convergence(result),
                ratio(result.throughput(), reference.throughput()),
                ratio(result.latencyNs(PERCENTILES[0]), reference.latencyNs(PERCENTILES[0])),
                ratio(result.latencyNs(PERCENTILES[1]), reference.latencyNs(PERCENTILES[1])),
                ratio(result.latencyNs(PERCENTILES[2]), reference.latencyNs(PERCENTILES[2]))));
        }
        for (final CompareResult result : results)
        {
            if (result.stopped())
            {
                sb.append(String.format("%n**Partial**: %s was stopped by a signal.%n", result.target()));
            }
            if (result.stillInFlight() > 0)
            {
                sb.append(String.format(Locale.ROOT, "%n%s: %,d puts still in flight after the drain.%n",
                    result.target(), result.stillInFlight()));
            }
            if (!result.converged() && result.staleKeys() > 0)
            {
                sb.append(String.format(Locale.ROOT, "%n%s: %,d of %,d keys x members lacked the last write at the " +
                    "last check.%n", result.target(), result.staleKeys(), result.keysWritten() * result.members()));
            }
        }
        return sb.toString();
    }

    /**
     * @param settings the run's options by name.
     * @param results  each target's turn, the reference first.
     * @return the run's data as a JSON object: settings and one object per target.
     */
    static String json(final Map<String, String> settings, final List<CompareResult> results)
    {
        final StringBuilder sb = new StringBuilder("{\n  \"settings\": {");
        String separator = "\n";
        for (final Map.Entry<String, String> entry : settings.entrySet())
        {
            sb.append(separator).append("    ").append(quote(entry.getKey())).append(": ")
                .append(quote(entry.getValue()));
            separator = ",\n";
        }
        sb.append("\n  },\n  \"targets\": [");
        separator = "\n";
        for (final CompareResult result : results)
        {
            sb.append(separator).append(String.format(Locale.ROOT, "    {\"target\": %s, \"members\": %d, " +
                "\"putsSucceeded\": %d, \"putsFailed\": %d, \"stillInFlight\": %d, \"measuredMs\": %.3f, " +
                "\"throughputOpsPerSec\": %.1f, \"p50Us\": %.1f, \"p99Us\": %.1f, \"p999Us\": %.1f, \"maxUs\": %.1f, " +
                "\"converged\": %s, \"convergenceMs\": %s, \"keysWritten\": %d, \"stopped\": %s}",
                quote(result.target()), result.members(), result.succeeded(), result.failed(),
                result.stillInFlight(), result.measuredNs() / 1e6, result.throughput(),
                result.latencyNs(PERCENTILES[0]) / 1e3, result.latencyNs(PERCENTILES[1]) / 1e3,
                result.latencyNs(PERCENTILES[2]) / 1e3,
                0 == result.latency().getTotalCount() ? 0.0 : result.latency().getMaxValue() / 1e3,
                result.converged(), result.converged() ? Long.toString(result.convergenceMs()) : "null",
                result.keysWritten(), result.stopped()));
            separator = ",\n";
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    private static String convergence(final CompareResult result)
    {
        if (RunResult.NOT_CHECKED == result.convergenceMs())
        {
            return "not checked";
        }
        return result.converged() ? String.format(Locale.ROOT, "%,d ms", result.convergenceMs()) : "NO";
    }

    private static String ratio(final double value, final double reference)
    {
        return 0 == reference ? "-" : String.format(Locale.ROOT, "%.2fx", value / reference);
    }

    private static String micros(final long nanos)
    {
        return String.format(Locale.ROOT, "%,.1f", nanos / 1_000.0);
    }

    private static String quote(final String text)
    {
        final StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if ('"' == c || '\\' == c)
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
