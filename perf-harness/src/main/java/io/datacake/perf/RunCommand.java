package io.datacake.perf;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code perf-harness run}: an embedded cluster, a closed-loop replicated write workload, and a latency report. Exit
 * code 0 when every write was acknowledged and all replicas ended with the same data, 1 otherwise.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run an embedded cluster with a replicated write workload and report latency.")
public final class RunCommand implements Callable<Integer>
{
    /** Most writes in flight: each is one command on a node's queue and one pending request per other node. */
    static final int MAX_CONCURRENCY = NodeContext.DEFAULT_COMMAND_QUEUE_CAPACITY;

    @Option(names = "--nodes", defaultValue = "3", description = "Cluster size (default: ${DEFAULT-VALUE}).")
    int nodeCount;

    @Option(names = "--transport", defaultValue = "AERON_IPC",
        description = "AERON_IPC, AERON_UDP or IN_PROCESS (default: ${DEFAULT-VALUE}).")
    TransportKind transport;

    @Option(names = "--warmup-s", defaultValue = "3", description = "Warm-up seconds (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--duration-s", defaultValue = "10", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--concurrency", defaultValue = "16",
        description = "Writes in flight, at most 4096 (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--value-bytes", defaultValue = "64", description = "Value size (default: ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--keys", defaultValue = "100000", description = "Key space (default: ${DEFAULT-VALUE}).")
    int keyCount;

    @Option(names = "--timeout-ms", defaultValue = "2000",
        description = "Per-replica request timeout (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--seed", defaultValue = "42", description = "Workload seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output", description = "Also write the report (markdown) to this file.")
    Path output;

    @Spec
    CommandSpec spec;

    /** The report of the last run, for tests. */
    String report;

    /** Writes acknowledged by every replica in the last run's measurement, for tests. */
    long completedWrites;

    /**
     * Run the cluster and the workload.
     *
     * @return the exit code.
     * @throws IOException if the report cannot be written.
     */
    public Integer call() throws IOException
    {
        validate();
        final Replica[] replicas = new Replica[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            replicas[i] = new Replica();
        }

        final WriteWorkload.Result result;
        final List<Replica.ReplicaSummary> summaries = new ArrayList<>();
        try (EmbeddedCluster cluster =
            new EmbeddedCluster(nodeCount, transport, (nodeId) -> List.of(replicas[nodeId - 1].service())))
        {
            final WriteWorkload workload = new WriteWorkload(
                cluster.nodes(), replicas, concurrency, valueBytes, keyCount, timeoutMs, seed);
            result = workload.run(toNanos(warmupSeconds), toNanos(durationSeconds), seed);
            for (int i = 0; i < nodeCount; i++)
            {
                final Replica replica = replicas[i];
                final Node node = cluster.nodes().get(i);
                summaries.add(node.execute((services) -> replica.summary()).join());
            }
        }
        finally
        {
            for (final Replica replica : replicas)
            {
                replica.close();
            }
        }

        boolean converged = true;
        for (final Replica.ReplicaSummary summary : summaries)
        {
            converged &= summary.sameDataAs(summaries.get(0));
        }
        completedWrites = result.completed();
        report = report(result, summaries, converged);
        System.out.print(report);
        if (null != output)
        {
            Files.writeString(output, report, StandardCharsets.UTF_8);
        }
        return result.failed() == 0 && result.stillPending() == 0 && converged ? 0 : 1;
    }

    private void validate()
    {
        if (concurrency > MAX_CONCURRENCY)
        {
            throw new ParameterException(spec.commandLine(), "--concurrency " + concurrency + " exceeds " +
                MAX_CONCURRENCY + ", the node command queue's capacity");
        }
        if (nodeCount < 1 || concurrency < 1 || valueBytes < 0 || keyCount < 1 || timeoutMs < 1 ||
            durationSeconds <= 0 || warmupSeconds < 0)
        {
            throw new ParameterException(spec.commandLine(), "--nodes, --concurrency, --keys, --timeout-ms and " +
                "--duration-s must be positive, --value-bytes and --warmup-s not negative");
        }
    }

    private String report(
        final WriteWorkload.Result result, final List<Replica.ReplicaSummary> summaries, final boolean converged)
    {
        final Histogram h = result.latencyNs();
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "# perf-harness run, %s%n%n", Instant.now()));
        sb.append(String.format(Locale.ROOT,
            "%d nodes on %s, consistency ALL (every write acknowledged by every other node), %d writes in flight, " +
            "%d-byte values over %,d keys, %.1f s warm-up, %.1f s measured; JDK %s, %d cores.%n%n",
            nodeCount, transport, concurrency, valueBytes, keyCount, warmupSeconds, durationSeconds,
            System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
        sb.append("| writes ok | failed | pending after drain | writes/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| %,d | %,d | %d | %,.0f | %.1f | %.1f | %.1f | %.1f | %.1f |%n%n",
            result.completed(), result.failed(), result.stillPending(),
            result.completed() / (result.elapsedNs() / 1e9),
            micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(90)),
            micros(h.getValueAtPercentile(99)), micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue())));
        sb.append("| node | live keys | tombstones | stored keys | data digest | applied | skipped (not newer) | " +
            "skipped (stale in source order) |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < summaries.size(); i++)
        {
            final Replica.ReplicaSummary s = summaries.get(i);
            sb.append(String.format(Locale.ROOT, "| %d | %,d | %,d | %,d | %016x | %,d | %,d | %,d |%n",
                i + 1, s.liveKeys(), s.tombstones(), s.storedKeys(), s.dataDigest(), s.applied(), s.skipped(),
                s.staleRejected()));
        }
        sb.append(String.format(Locale.ROOT,
            "%nreplicas converged: %s (same live entries and tombstones in every set and storage)%n",
            converged ? "yes" : "NO"));
        return sb.toString();
    }

    private static double micros(final long nanos)
    {
        return nanos / 1_000.0;
    }

    private static long toNanos(final double seconds)
    {
        return (long)(seconds * TimeUnit.SECONDS.toNanos(1));
    }
}
