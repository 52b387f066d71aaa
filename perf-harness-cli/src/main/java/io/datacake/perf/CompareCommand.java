package io.datacake.perf;

import io.datacake.perf.compare.CompareTarget;
import io.datacake.perf.compare.HazelcastTarget;
import io.datacake.perf.compare.PekkoTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code perf-harness compare}: the same workload of puts against datacake-java, Hazelcast ReplicatedMap and Pekko
 * Distributed Data (LWWMap with WriteLocal and with WriteAll), each a cluster of members in this JVM on loopback,
 * one after the other; one table of throughput, put latency, time to converge and each target's ratio to the
 * first. Every option is checked before the first cluster starts; each cluster is closed and its files deleted
 * after its turn, also when it fails or a signal stops the run.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
    description = {
        "Run the same workload of puts against datacake-java, Hazelcast ReplicatedMap and Pekko Distributed Data " +
        "(LWWMap, WriteLocal and WriteAll), each a cluster in this JVM on loopback, one after the other; print one " +
        "table of throughput, put latency (p50/p99/p99.9), the time until every member holds every key's last " +
        "written value, and each target's ratio to the first.",
        "Ctrl-C (SIGINT) or SIGTERM stops the run early; the cluster of the running target is closed." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every target ran, every put succeeded and every target converged",
        "1:puts failed, a target did not converge, a target failed to start or the run was stopped",
        "2:bad option or value (the first line names it)" })
public final class CompareCommand implements Callable<Integer>
{
    /** Most keys: the load keeps each key's last written tag in memory. */
    static final long MAX_KEYS = 10_000_000;

    /** How often datacake-java's stores run an anti-entropy round: run's default. */
    static final long REPAIR_INTERVAL_MS = 10_000;

    /** Most in flight per client thread. */
    static final int MAX_IN_FLIGHT_PER_THREAD = 1024;

    @Option(names = "--targets", paramLabel = "<names>", split = ",",
        defaultValue = "datacake,hazelcast,pekko-local,pekko-all",
        description = "Targets in the order they run, comma separated: datacake, hazelcast, pekko-local, " +
        "pekko-all; ratios are to the first (default: ${DEFAULT-VALUE}).")
    List<String> targetNames;

    @Option(names = "--nodes", paramLabel = "<count>", defaultValue = "3",
        description = "Members of every target's cluster, 1.." + RunCommand.MAX_NODES + " (default: ${DEFAULT-VALUE}).")
    int nodeCount;

    @Option(names = "--keys", paramLabel = "<count>", defaultValue = "100000",
        description = "Keys, 1.." + MAX_KEYS + ", picked uniformly (default: ${DEFAULT-VALUE}).")
    long keys;

    @Option(names = "--value-size", paramLabel = "<bytes>", defaultValue = "128",
        description = "Size of every value, " + CompareLoad.TAG_BYTES + ".." + RunCommand.MAX_VALUE_BYTES +
        " bytes; the first " + CompareLoad.TAG_BYTES + " identify the put (default: ${DEFAULT-VALUE}).")
    int valueBytes;

    @Mixin
    MeasurementOptions measurementOptions = new MeasurementOptions();

    @Option(names = "--threads", paramLabel = "<count>", defaultValue = "1",
        description = "Client threads, 1.." + CompareLoad.MAX_THREADS + " (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--in-flight", paramLabel = "<ops>", defaultValue = "1",
        description = "Puts each client thread has in flight at most, 1.." + MAX_IN_FLIGHT_PER_THREAD + "; " +
        "Hazelcast's put is synchronous, so it always has 1 (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--rate", paramLabel = "<ops/s>",
        description = "Puts per second over all threads on a fixed schedule, above 0 up to " +
        (long)RunCommand.MAX_RATE + "; latency is then measured from each put's intended start (default: none).")
    Double rate;

    @Option(names = "--seed", paramLabel = "<long>", defaultValue = "42",
        description = "Seed for keys and values, any 64-bit integer (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--consistency", paramLabel = "<level>", defaultValue = "quorum",
        description = "datacake-java's level of puts: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Consistency consistency;

    @Option(names = "--transport", paramLabel = "<kind>", defaultValue = "ipc",
        description = "datacake-java's Aeron media: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    TransportKind transport;

    @Option(names = "--storage", paramLabel = "<kind>", defaultValue = "memory",
        description = "datacake-java's storage: ${COMPLETION-CANDIDATES}; files go in the system temporary " +
        "directory (default: ${DEFAULT-VALUE}).")
    StorageKind storage;

    @Option(names = "--timeout-ms", paramLabel = "<ms>", defaultValue = "5000",
        description = "How long a write waits for replicas (datacake-java, Pekko WriteAll), 1.." +
        RunCommand.MAX_TIMEOUT_MS + " ms (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--converge-timeout", paramLabel = "<time>", converter = TimeValue.class, defaultValue = "60s",
        description = "How long after its last put each target has for every member to hold every last written " +
        "value, e.g. 60s, 0 to skip (default: ${DEFAULT-VALUE}).")
    Duration convergeTimeout;

    @Option(names = "--out", paramLabel = "<dir>",
        description = "Directory for compare.md and compare.json, created if its parent exists (default: none).")
    Path outDir;

    @Spec
    CommandSpec spec;

    /** The results of the last run, for tests. */
    List<CompareResult> results;

    private final List<CompareTargetKind> targets = new ArrayList<>();
    private volatile boolean stopRequested;
    private volatile MeasurementWindow window;

    /**
     * Check the options, then give each target its turn and print the table.
     *
     * @return the exit code: 0 when every target ran cleanly and converged, 1 otherwise.
     * @throws ParameterException if an option's value is out of range (exit code 2).
     * @throws IOException        if the summary cannot be written to --out.
     */
    public Integer call() throws IOException
    {
        validate();
        final long maxStopWaitMs = timeoutMs + RunCommand.DRAIN_MARGIN_MS + convergeTimeout.toMillis() +
            RunCommand.STOP_MARGIN_MS;
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        results = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        try (StopOnSignal signal = new StopOnSignal(this::stop, maxStopWaitMs))
        {
            for (final CompareTargetKind kind : targets)
            {
                if (stopRequested)
                {
                    break;
                }
                try
                {
                    final CompareResult result = runTarget(kind, err);
                    if (null != result)
                    {
                        results.add(result);
                    }
                }
                catch (final RuntimeException ex)
                {
                    // One target failing leaves the others their turn; the table says what ran.
                    failures.add(kind + ": " + PerfHarness.describe(ex));
                    err.println("perf-harness compare: " + kind + " failed: " + PerfHarness.describe(ex));
                    err.flush();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    failures.add(kind + ": interrupted");
                    break;
                }
            }

            final String report = CompareReport.markdown(describeSetup(), results);
            out.print(report);
            failures.forEach((failure) -> out.println("failed: " + failure));
            out.flush();
            if (null != outDir)
            {
                Files.createDirectories(outDir);
                Files.writeString(outDir.resolve("compare.md"), report, StandardCharsets.UTF_8);
                Files.writeString(outDir.resolve("compare.json"), CompareReport.json(OptionChecks.settings(spec), results),
                    StandardCharsets.UTF_8);
            }
            if (signal.signalled() || stopRequested)
            {
                out.println("compare stopped by a signal before its end: the figures above are partial");
                out.flush();
                return 1;
            }
        }
        final boolean clean = failures.isEmpty() && results.size() == targets.size() && results.stream().allMatch(
            (r) -> 0 == r.failed() && 0 == r.stillInFlight() && (r.converged() || convergeTimeout.isZero()));
        if (!clean)
        {
            out.println("compare failed: " + results.stream().map((r) -> String.format(Locale.ROOT,
                "%s %,d failed, converged %s", r.target(), r.failed(), r.converged() ? "yes" : "NO"))
                .collect(Collectors.joining("; ")) + (failures.isEmpty() ? "" : "; " + failures.size() +
                " target(s) did not run"));
            out.flush();
            return 1;
        }
        return 0;
    }

    /**
     * Stop the run early from another thread: the running target drains, checks convergence and closes.
     */
    void stop()
    {
        stopRequested = true;
        final MeasurementWindow running = window;
        if (null != running)
        {
            running.stop();
        }
    }

    private CompareResult runTarget(final CompareTargetKind kind, final PrintWriter err) throws InterruptedException
    {
        final MeasurementWindow measurement = measurementOptions.newWindow();
        window = measurement;
        if (stopRequested)
        {
            measurement.stop();
        }
        err.println("perf-harness compare: starting " + kind + " (" + nodeCount + " members)");
        err.flush();
        try (CompareTarget target = start(kind))
        {
            final Deadline ready = new Deadline(
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RunCommand.MEMBERSHIP_DEADLINE_MS));
            while (!target.ready())
            {
                if (measurement.stopped())
                {
                    return null;
                }
                if (!ready.pause())
                {
                    throw new IllegalStateException("the members of " + target.name() + " did not all see each " +
                        "other within " + RunCommand.MEMBERSHIP_DEADLINE_MS + " ms");
                }
            }
            err.println("perf-harness compare: " + target.name() + " ready; " +
                "warming up " + measurementOptions.describeWarmup("puts") + ", then measuring " +
                measurementOptions.describeMeasurement("puts"));
            err.flush();
            final CompareLoad load = new CompareLoad(target, workloadSettings(), measurement);
            final CompareResult result = load.run(
                TimeUnit.MILLISECONDS.toNanos(timeoutMs + RunCommand.DRAIN_MARGIN_MS), convergeTimeout.toNanos());
            err.println("perf-harness compare: " + target.name() + " done, closing");
            err.flush();
            return result;
        }
        finally
        {
            window = null;
        }
    }

    private CompareTarget start(final CompareTargetKind kind)
    {
        switch (kind)
        {
            case DATACAKE:
                return new DatacakeTarget(new ClusterSettings(nodeCount, transport, storage,
                    Path.of(System.getProperty("java.io.tmpdir")), valueBytes, timeoutMs,
                    REPAIR_INTERVAL_MS), consistency);
            case HAZELCAST:
                return new HazelcastTarget(nodeCount);
            case PEKKO_LOCAL:
                return new PekkoTarget(nodeCount, PekkoTarget.WriteMode.LOCAL, keys, valueBytes, timeoutMs);
            default:
                return new PekkoTarget(nodeCount, PekkoTarget.WriteMode.ALL, keys, valueBytes, timeoutMs);
        }
    }

    private WorkloadSettings workloadSettings()
    {
        return new WorkloadSettings(threads, inFlight, 1, keys, valueBytes, OperationMix.parse("put=1"), consistency,
            null == rate ? 0 : rate, seed);
    }

    private String describeSetup()
    {
        return String.format(Locale.ROOT,
            "%d members per target, in one JVM on loopback; datacake-java on %s with %s storage at consistency %s; " +
            "%d client thread%s x %d in flight, %s; %,d-byte values over %,d keys; warm-up %s, measured %s per " +
            "target; seed %d; JDK %s, %d cores.",
            nodeCount, transport, storage, consistency, threads, threads == 1 ? "" : "s", inFlight,
            null == rate ? "unthrottled" : String.format(Locale.ROOT, "%,.0f puts/s", rate), valueBytes, keys,
            measurementOptions.describeWarmup("puts"), measurementOptions.describeMeasurement("puts"), seed,
            System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }

    /**
     * Everything that can be checked before the first cluster starts, one option per message.
     */
    private void validate()
    {
        targets.clear();
        for (final String name : targetNames)
        {
            try
            {
                final CompareTargetKind kind = CompareTargetKind.parse(name);
                if (targets.contains(kind))
                {
                    throw invalid("--targets", "each target at most once", String.join(",", targetNames));
                }
                targets.add(kind);
            }
            catch (final IllegalArgumentException ex)
            {
                throw invalid("--targets", "datacake, hazelcast, pekko-local or pekko-all, comma separated", name);
            }
        }
        requireRange("--nodes", nodeCount, 1, RunCommand.MAX_NODES, "members");
        requireRange("--keys", keys, 1, MAX_KEYS, "keys");
        requireRange("--value-size", valueBytes, CompareLoad.TAG_BYTES, RunCommand.MAX_VALUE_BYTES, "bytes");
        requireRange("--threads", threads, 1, CompareLoad.MAX_THREADS, "threads");
        if (threads > keys)
        {
            throw invalid("--threads", "at most --keys threads (each thread owns its keys)", String.valueOf(threads));
        }
        requireRange("--in-flight", inFlight, 1, MAX_IN_FLIGHT_PER_THREAD, "puts per thread");
        requireRange("--timeout-ms", timeoutMs, 1, RunCommand.MAX_TIMEOUT_MS, "ms");
        measurementOptions.validate(spec, "puts", "each turn");
        if (null != rate && !(rate > 0 && rate <= RunCommand.MAX_RATE))
        {
            throw invalid("--rate", "above 0 up to " + (long)RunCommand.MAX_RATE + " puts/s", String.valueOf(rate));
        }
        OptionChecks.requireOutDir(spec, outDir);
    }

    private void requireRange(final String option, final long value, final long min, final long max, final String unit)
    {
        OptionChecks.requireRange(spec, option, value, min, max, unit);
    }

    private ParameterException invalid(final String option, final String accepts, final String value)
    {
        return OptionChecks.invalid(spec, option, accepts, value);
    }
}
