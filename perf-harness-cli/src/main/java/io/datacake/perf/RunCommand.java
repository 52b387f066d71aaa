package io.datacake.perf;

import io.datacake.crdt.Orswot;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
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
 * {@code perf-harness run}: an embedded cluster, a closed-loop replicated write workload, and a latency report. Every
 * option is checked before the cluster starts. Exit code 0 when every write was acknowledged and all replicas ended
 * with the same data, 1 otherwise (the last line says why), 2 for a bad option. SIGINT/SIGTERM stop the run early:
 * it reports what was measured so far and deletes the cluster's files.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
    description = {
        "Run an embedded cluster with a replicated write workload (consistency ALL) and report latency.",
        "Ctrl-C (SIGINT) or SIGTERM stops the run early, prints the partial report and deletes the cluster's files." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every write acknowledged by every replica, replicas converged",
        "1:writes failed or pending, replicas differ, the run failed or was stopped (the last line says why)",
        "2:bad option or value (the first line names it)" })
public final class RunCommand implements Callable<Integer>
{
    /** Most writes in flight: each is one command on a node's queue and one pending request per other node. */
    static final int MAX_CONCURRENCY = NodeContext.DEFAULT_COMMAND_QUEUE_CAPACITY;

    /** Most nodes: on Aeron every node maps a log buffer per peer (12 MiB each), so files grow with the square. */
    static final int MAX_NODES = 16;

    /** Longest warm-up or measurement: a day. */
    static final double MAX_SECONDS = 86_400;

    /** Longest request timeout: the latency histogram records up to this. */
    static final long MAX_TIMEOUT_MS = WriteWorkload.MAX_RECORDED_LATENCY_MS;

    /** Largest share of the heap the writes in flight may take (each holds its value). */
    static final int HEAP_SHARE_DIVISOR = 4;

    /** How long a signal waits for the run to drain, report and clean up, beyond the request timeout. */
    static final long STOP_MARGIN_MS = 60_000;

    private static final System.Logger LOGGER = System.getLogger(RunCommand.class.getName());

    @Option(names = "--nodes", paramLabel = "<count>", defaultValue = "3",
        description = "Cluster size, 1.." + MAX_NODES + " nodes; on Aeron the files take about 12.6 MB per " +
        "ordered pair of nodes, checked against free space before the run (default: ${DEFAULT-VALUE}).")
    int nodeCount;

    @Option(names = "--transport", paramLabel = "<kind>", defaultValue = "AERON_IPC",
        description = "Transport between the nodes: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    TransportKind transport;

    @Option(names = "--warmup-s", paramLabel = "<seconds>", defaultValue = "3",
        description = "Warm-up before measuring, 0..86400 seconds, fractions allowed (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--duration-s", paramLabel = "<seconds>", defaultValue = "10",
        description = "Measured time, above 0 up to 86400 seconds, fractions allowed (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--concurrency", paramLabel = "<writes>", defaultValue = "16",
        description = "Writes in flight, 1.." + MAX_CONCURRENCY + " (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--value-bytes", paramLabel = "<bytes>", defaultValue = "64",
        description = "Value size, 0.." + Replica.MAX_VALUE_BYTES + " bytes, the storage's limit " +
        "(default: ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--keys", paramLabel = "<count>", defaultValue = "100000",
        description = "Key space, 1.." + Orswot.MAX_ENTRIES + " keys, chosen uniformly " +
        "(default: ${DEFAULT-VALUE}).")
    int keyCount;

    @Option(names = "--timeout-ms", paramLabel = "<ms>", defaultValue = "2000",
        description = "Per-replica request timeout, 1.." + MAX_TIMEOUT_MS + " ms (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--seed", paramLabel = "<long>", defaultValue = "42",
        description = "Seed for keys and values, any 64-bit integer (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output", paramLabel = "<file>",
        description = "Also write the report (markdown) to this file, replacing it; checked before the run " +
        "(default: none, standard output only).")
    Path output;

    @Option(names = "--work-dir", paramLabel = "<dir>",
        description = "Existing directory in which the cluster's files (Aeron log buffers) go, in a subdirectory " +
        "deleted after the run (default: the system temporary directory, ${sys:java.io.tmpdir}).")
    Path workDir;

    @Spec
    CommandSpec spec;

    /** The report of the last run, for tests. */
    String report;

    /** Writes acknowledged by every replica in the last run's measurement, for tests. */
    long completedWrites;

    private volatile boolean stopRequested;
    private volatile WriteWorkload workload;

    /**
     * Check the options, then run the cluster and the workload.
     *
     * @return the exit code: 0 for a clean run, 1 otherwise.
     * @throws ParameterException if an option's value is out of range or the output cannot be written (exit code 2).
     * @throws IOException if the report cannot be written after the run.
     */
    public Integer call() throws IOException
    {
        validate();
        try (StopOnSignal signal = new StopOnSignal(this::stop, timeoutMs + STOP_MARGIN_MS))
        {
            report = null;
            final int exitCode;
            try
            {
                exitCode = runAndReport();
            }
            catch (final IOException | RuntimeException ex)
            {
                if (!signal.signalled())
                {
                    throw ex;
                }
                // The JVM exits as soon as the signal's hook is released: say why here, before releasing it.
                LOGGER.log(System.Logger.Level.DEBUG, "run failed after a signal", ex);
                spec.commandLine().getErr().println("run failed after a signal: " + PerfHarness.describe(ex));
                spec.commandLine().getErr().flush();
                return 1;
            }
            if (signal.signalled())
            {
                if (null != report)
                {
                    spec.commandLine().getOut().println(
                        "run stopped by a signal before its end: the figures above are partial");
                    spec.commandLine().getOut().flush();
                }
                return 1;
            }
            return exitCode;
        }
    }

    /**
     * Stop the run early from another thread: it drains the writes in flight, reports and cleans up.
     */
    void stop()
    {
        stopRequested = true;
        final WriteWorkload running = workload;
        if (null != running)
        {
            running.stop();
        }
    }

    private int runAndReport() throws IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Replica[] replicas = new Replica[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            replicas[i] = new Replica();
        }

        WriteWorkload.Result result = null;
        final List<Replica.ReplicaSummary> summaries = new ArrayList<>();
        try (EmbeddedCluster cluster = new EmbeddedCluster(
            nodeCount, transport, (nodeId) -> List.of(replicas[nodeId - 1].service()), workDir))
        {
            final WriteWorkload load = new WriteWorkload(
                cluster.nodes(), replicas, concurrency, valueBytes, keyCount, timeoutMs, seed);
            // Publish the workload before reading the flag: a concurrent stop() then sees one or the other.
            workload = load;
            if (stopRequested)
            {
                load.stop();
            }
            if (load.connect())
            {
                err.printf(Locale.ROOT, "perf-harness run: %d nodes on %s connected, files in %s; " +
                    "warming up %.1f s, then measuring %.1f s (Ctrl-C stops early with a partial report)%n",
                    nodeCount, transport, cluster.directory(), warmupSeconds, durationSeconds);
                err.flush();
                result = load.run(toNanos(warmupSeconds), toNanos(durationSeconds), seed);
                for (int i = 0; i < nodeCount; i++)
                {
                    final Replica replica = replicas[i];
                    final Node node = cluster.nodes().get(i);
                    summaries.add(node.execute((services) -> replica.summary()).join());
                }
            }
        }
        finally
        {
            workload = null;
            for (final Replica replica : replicas)
            {
                replica.close();
            }
        }

        if (null == result)
        {
            out.println("run stopped by a signal before the nodes were connected: nothing was measured");
            out.flush();
            return 1;
        }

        boolean converged = true;
        for (final Replica.ReplicaSummary summary : summaries)
        {
            converged &= summary.sameDataAs(summaries.get(0));
        }
        completedWrites = result.completed();
        report = report(result, summaries, converged);
        out.print(report);
        out.flush();
        if (null != output)
        {
            Files.writeString(output, report, StandardCharsets.UTF_8);
        }
        if (result.failed() != 0 || result.stillPending() != 0 || !converged)
        {
            out.printf(Locale.ROOT, "run failed: %,d writes failed, %,d still pending after the drain, " +
                "replicas converged: %s%n", result.failed(), result.stillPending(), converged ? "yes" : "NO");
            out.flush();
            return 1;
        }
        return 0;
    }

    /**
     * Everything that can be checked before the cluster starts, one option per message.
     */
    private void validate()
    {
        requireRange("--nodes", nodeCount, 1, MAX_NODES, "nodes");
        requireRange("--concurrency", concurrency, 1, MAX_CONCURRENCY, "writes in flight");
        requireRange("--value-bytes", valueBytes, 0, Replica.MAX_VALUE_BYTES, "bytes (the storage's limit)");
        requireRange("--keys", keyCount, 1, Orswot.MAX_ENTRIES, "keys (the set's capacity)");
        requireRange("--timeout-ms", timeoutMs, 1, MAX_TIMEOUT_MS, "ms");
        if (!(warmupSeconds >= 0 && warmupSeconds <= MAX_SECONDS))
        {
            throw invalid("--warmup-s", "0.." + (long)MAX_SECONDS + " seconds", String.valueOf(warmupSeconds));
        }
        if (!(durationSeconds > 0 && durationSeconds <= MAX_SECONDS))
        {
            throw invalid("--duration-s", "above 0 up to " + (long)MAX_SECONDS + " seconds",
                String.valueOf(durationSeconds));
        }

        final long bufferBytes = (long)concurrency * (Replica.VALUE_OFFSET + valueBytes);
        final long heapBytes = Runtime.getRuntime().maxMemory();
        if (bufferBytes > heapBytes / HEAP_SHARE_DIVISOR)
        {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                "Invalid value for option '--value-bytes': %d writes in flight (--concurrency) of %,d bytes need " +
                "%,d MiB of buffers, over 1/%d of the %,d MiB heap: lower --value-bytes or --concurrency, or " +
                "raise -Xmx", concurrency, valueBytes, bufferBytes >> 20, HEAP_SHARE_DIVISOR, heapBytes >> 20));
        }

        if (null != workDir && !Files.isDirectory(workDir))
        {
            throw invalid("--work-dir", "an existing directory", workDir.toString());
        }
        if (null != workDir && !Files.isWritable(workDir))
        {
            throw invalid("--work-dir", "a directory this user can write", workDir.toString());
        }
        final Path clusterParent = null == workDir ? Path.of(System.getProperty("java.io.tmpdir")) : workDir;
        final String shortfall = diskShortfall(nodeCount, transport, clusterParent, usableBytes(clusterParent));
        if (null != shortfall)
        {
            throw new ParameterException(spec.commandLine(), shortfall);
        }
        if (null != output)
        {
            validateOutput();
        }
    }

    /**
     * The error when the cluster's files would not fit where they go, else null.
     *
     * @param nodes       cluster size.
     * @param kind        transport.
     * @param parentDir   where the cluster's directory goes.
     * @param usableBytes free space there.
     */
    static String diskShortfall(final int nodes, final TransportKind kind, final Path parentDir, final long usableBytes)
    {
        final long neededBytes = EmbeddedCluster.estimatedDirectoryBytes(nodes, kind);
        if (neededBytes <= usableBytes)
        {
            return null;
        }
        return String.format(Locale.ROOT, "Invalid value for option '--nodes': %d nodes on %s need about %,d MiB of " +
            "Aeron log buffers in %s, which has %,d MiB free: use fewer nodes, IN_PROCESS, or --work-dir on a " +
            "larger disk", nodes, kind, neededBytes >> 20, parentDir, usableBytes >> 20);
    }

    private static long usableBytes(final Path dir)
    {
        try
        {
            return Files.getFileStore(dir).getUsableSpace();
        }
        catch (final IOException ex)
        {
            // Unknown free space: let the run try and report what fails.
            return Long.MAX_VALUE;
        }
    }

    private void validateOutput()
    {
        final Path file = output.toAbsolutePath();
        final Path parent = file.getParent();
        if (Files.isDirectory(file))
        {
            throw invalid("--output", "a file path, not a directory", output.toString());
        }
        if (null == parent || !Files.isDirectory(parent))
        {
            throw invalid("--output", "a file in an existing directory (" + parent + " does not exist)",
                output.toString());
        }
        if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(parent))
        {
            throw invalid("--output", "a file this user can write", output.toString());
        }
    }

    private void requireRange(final String option, final long value, final long min, final long max, final String unit)
    {
        if (value < min || value > max)
        {
            throw invalid(option, min + ".." + max + " " + unit, String.valueOf(value));
        }
    }

    private ParameterException invalid(final String option, final String accepts, final String value)
    {
        return new ParameterException(spec.commandLine(),
            "Invalid value for option '" + option + "': expected " + accepts + " but was '" + value + "'");
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
        if (result.stopped())
        {
            sb.append(result.elapsedNs() > 0 ?
                String.format(Locale.ROOT, "**Partial**: stopped by a signal after %.1f s of measurement.%n%n",
                    result.elapsedNs() / 1e9) :
                String.format("**Partial**: stopped by a signal during the warm-up; nothing was measured.%n%n"));
        }
        sb.append("| writes ok | failed | pending after drain | writes/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| %,d | %,d | %d | %,.0f | %.1f | %.1f | %.1f | %.1f | %.1f |%n%n",
            result.completed(), result.failed(), result.stillPending(),
            result.writesPerSecond(),
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
