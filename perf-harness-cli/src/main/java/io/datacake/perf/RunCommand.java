package io.datacake.perf;

import io.datacake.crdt.Orswot;
import io.datacake.node.NodeContext;
import io.datacake.perf.report.RunReportWriter;
import io.datacake.store.StoreContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code perf-harness run}: an embedded cluster of replicated stores, a workload of puts, gets and deletes through
 * the stores' handles, and a report of throughput, latency, errors, convergence and memory. Every option is checked
 * before the cluster starts. SIGINT/SIGTERM stop the run early: it reports what was measured so far and deletes the
 * cluster's files.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
    description = {
        "Run an embedded cluster of replicated stores with a workload of puts, gets and deletes; report throughput, " +
        "latency (corrected for coordinated omission with --rate), errors by kind, the time until every replica " +
        "holds every last write, and memory.",
        "Ctrl-C (SIGINT) or SIGTERM stops the run early, prints the partial report and deletes the cluster's files." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every operation succeeded, the replicas converged, every --threshold held",
        "1:operations failed or were still pending, the replicas did not converge in time, the run failed or was " +
            "stopped (the last line says why)",
        "2:bad option or value (the first line names it)",
        "3:a --threshold did not hold (checked before the other outcomes; the report lists it first)" })
public final class RunCommand implements Callable<Integer>
{
    /** Exit code when a threshold did not hold. */
    public static final int EXIT_THRESHOLD_FAILED = 3;

    /** Most nodes: on Aeron every node maps a log buffer per peer, so files grow with the square. */
    static final int MAX_NODES = 16;

    /** Most client threads. */
    static final int MAX_THREADS = 256;

    /** Most operations in flight over all threads: each is one command on a node's queue. */
    static final int MAX_IN_FLIGHT = NodeContext.DEFAULT_COMMAND_QUEUE_CAPACITY;

    /** Largest value: 1 MiB, well inside the storage writer's in-flight bytes. */
    static final int MAX_VALUE_BYTES = 1024 * 1024;

    /** Highest rate: ten million operations per second. */
    static final double MAX_RATE = 10_000_000;

    /** Longest request timeout. */
    static final long MAX_TIMEOUT_MS = 60_000;

    /** Shortest status and histogram interval. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);

    /** How long the nodes have to see each other live before the run gives up. */
    static final long MEMBERSHIP_DEADLINE_MS = 60_000;

    /** How long the drain waits for operations in flight beyond the request timeout. */
    static final long DRAIN_MARGIN_MS = 30_000;

    /** How long a signal waits for the run to drain, check convergence, report and clean up, beyond both timeouts. */
    static final long STOP_MARGIN_MS = 60_000;

    @Option(names = "--nodes", paramLabel = "<count>", defaultValue = "3",
        description = "Cluster size, 1.." + MAX_NODES + " nodes (default: ${DEFAULT-VALUE}).")
    int nodeCount;

    @Option(names = "--transport", paramLabel = "<kind>", defaultValue = "ipc",
        description = "Aeron media between the nodes: ${COMPLETION-CANDIDATES}; ipc shares one media driver, udp " +
        "gives every node its own driver and loopback port (default: ${DEFAULT-VALUE}).")
    TransportKind transport;

    @Option(names = "--storage", paramLabel = "<kind>", defaultValue = "memory",
        description = "Each node's storage: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    StorageKind storage;

    @Option(names = "--security", paramLabel = "<mode>", split = ",", defaultValue = "off",
        description = "Frame security between the nodes: ${COMPLETION-CANDIDATES}; authenticate puts an HMAC tag on " +
        "every frame, encrypt also encrypts it, under a keyring generated for the run and never shown. A comma " +
        "list, e.g. off,authenticate,encrypt, runs the same workload once per mode, one after another, each on a " +
        "new cluster, and ends with a table of throughput and put latency per mode and their ratio to off " +
        "(default: ${DEFAULT-VALUE}).")
    List<SecurityMode> securityModes;

    @Option(names = "--data-dir", paramLabel = "<dir>",
        description = "Existing directory in which the run's storage directory is made and deleted after the run " +
        "(default: the system temporary directory, ${sys:java.io.tmpdir}).")
    Path dataDir;

    @Option(names = "--keyspaces", paramLabel = "<count>", defaultValue = "1",
        description = "Keyspaces, 1.." + StoreContext.DEFAULT_MAX_KEYSPACES + ", each operation picks one " +
        "uniformly (default: ${DEFAULT-VALUE}).")
    int keyspaces;

    @Option(names = "--keys", paramLabel = "<count>", defaultValue = "100000",
        description = "Keys per keyspace, 1.." + Orswot.MAX_ENTRIES + ", picked uniformly (default: ${DEFAULT-VALUE}).")
    long keys;

    @Option(names = "--value-size", paramLabel = "<bytes>", defaultValue = "128",
        description = "Size of every value written, 0.." + MAX_VALUE_BYTES + " bytes (default: ${DEFAULT-VALUE}).")
    int valueBytes;

    @Mixin
    MeasurementOptions measurementOptions = new MeasurementOptions();

    @Option(names = "--mix", paramLabel = "<mix>", defaultValue = "put=80,get=20,delete=0",
        description = "Share of each operation as integer weights put=..,get=..,delete=.. (omitted ones weigh 0) " +
        "(default: ${DEFAULT-VALUE}).")
    String mix;

    @Option(names = "--consistency", paramLabel = "<level>", defaultValue = "quorum",
        description = "Level of puts and deletes: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Consistency consistency;

    @Option(names = "--threads", paramLabel = "<count>", defaultValue = "1",
        description = "Client threads, 1.." + MAX_THREADS + " (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--in-flight", paramLabel = "<ops>", defaultValue = "16",
        description = "Operations each client thread has in flight at most, 1.." + MAX_IN_FLIGHT + " over all " +
        "threads (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--rate", paramLabel = "<ops/s>",
        description = "Operations per second over all threads on a fixed schedule, above 0 up to " + (long)MAX_RATE +
        "; latency is then also measured from each operation's intended start (default: none, as fast as " +
        "operations complete).")
    Double rate;

    @Option(names = "--seed", paramLabel = "<long>", defaultValue = "42",
        description = "Seed for keys, values, operations and keyspaces, any 64-bit integer " +
        "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout-ms", paramLabel = "<ms>", defaultValue = "5000",
        description = "How long a write waits for each replica, 1.." + MAX_TIMEOUT_MS + " ms " +
        "(default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--repair-interval", paramLabel = "<time>", converter = TimeValue.class, defaultValue = "10s",
        description = "How often each store runs an anti-entropy round, at least 1ms (default: ${DEFAULT-VALUE}).")
    Duration repairInterval;

    @Option(names = "--converge-timeout", paramLabel = "<time>", converter = TimeValue.class, defaultValue = "30s",
        description = "How long after the last write the run waits for every replica to hold every last write, " +
        "e.g. 30s, 0 to skip (default: ${DEFAULT-VALUE}).")
    Duration convergeTimeout;

    @Option(names = "--interval", paramLabel = "<time>", converter = TimeValue.class, defaultValue = "1s",
        description = "Length of an interval: a status line and a histogram each, at least 100ms " +
        "(default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--progress",
        description = "Print the status lines on standard error even when it is not a terminal (default: only on a " +
        "terminal).")
    boolean progress;

    @Option(names = "--threshold", paramLabel = "<condition>",
        description = "A condition the run must meet, repeatable: <operation>.<statistic><comparison><limit><unit> " +
        "with put, get, delete or all; p50, p90, p99, p999, max (corrected latency, in us, ms or s) or throughput " +
        "(ops/s); <, <=, >, >=; e.g. 'put.p99<2ms', 'all.throughput>=5000ops/s' (default: none).")
    List<String> thresholdTexts = new ArrayList<>();

    @Option(names = "--output", paramLabel = "<file>",
        description = "Also write the report (markdown) to this file, replacing it; checked before the run " +
        "(default: none, standard output only).")
    Path output;

    @Option(names = "--out", paramLabel = "<dir>",
        description = "Directory for the run's report files (per operation its latency histograms and interval " +
        "histogram log, as the report writer writes them), created if its parent exists (default: none).")
    Path outDir;

    @Spec
    CommandSpec spec;

    /** The report of the last run, for tests. */
    String report;

    /** What the last run measured, for tests. */
    RunResult result;

    /** The security of the cluster running now (one of {@link #securityModes}). */
    SecurityMode security = SecurityMode.OFF;

    private final List<Threshold> thresholds = new ArrayList<>();
    private OperationMix operationMix;
    private volatile boolean stopRequested;
    private volatile MeasurementWindow window;

    /**
     * Check the options, then run the cluster and the workload.
     *
     * @return the exit code: 0 for a clean run, 1 for a run with errors or stopped, 3 when a threshold failed.
     * @throws ParameterException if an option's value is out of range or the output cannot be written (exit code 2).
     * @throws IOException if the report cannot be written after the run.
     */
    public Integer call() throws IOException
    {
        validate();
        final long maxStopWaitMs = timeoutMs + DRAIN_MARGIN_MS + convergeTimeout.toMillis() + STOP_MARGIN_MS;
        try (StopOnSignal signal = new StopOnSignal(this::stop, maxStopWaitMs))
        {
            report = null;
            result = null;
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
     * Stop the run early from another thread: it drains the operations in flight, reports and cleans up.
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

    /**
     * Run the workload once per security mode, each on its own cluster, and report each; after several modes, the
     * table comparing them.
     *
     * @return the exit code: 3 if a threshold failed in any mode, else 1 if any mode had errors or was stopped.
     */
    private int runAndReport() throws IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final StringBuilder reports = new StringBuilder();
        final List<RunResult> results = new ArrayList<>();
        int exitCode = 0;
        for (final SecurityMode mode : securityModes)
        {
            security = mode;
            final int modeExitCode = runOneMode(reports);
            exitCode = EXIT_THRESHOLD_FAILED == exitCode || EXIT_THRESHOLD_FAILED == modeExitCode ?
                EXIT_THRESHOLD_FAILED : Math.max(exitCode, modeExitCode);
            if (null == result)
            {
                break;
            }
            results.add(result);
            if (stopRequested)
            {
                break;
            }
        }
        if (results.size() > 1)
        {
            final String comparison =
                RunReport.securityComparison(results, securityModes.subList(0, results.size()));
            reports.append('\n').append(comparison);
            out.print('\n');
            out.print(comparison);
            out.flush();
        }
        report = reports.length() == 0 ? null : reports.toString();
        if (null != output && null != report)
        {
            Files.writeString(output, report, StandardCharsets.UTF_8);
        }
        return exitCode;
    }

    /**
     * Run the workload on a cluster with the current {@link #security}, print its report and append it to
     * {@code reports}.
     *
     * @return the mode's exit code; {@link #result} is null when nothing was measured.
     */
    private int runOneMode(final StringBuilder reports) throws IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        result = null;
        final MeasurementWindow measurement = measurementOptions.newWindow();
        // Publish the window before reading the flag: a concurrent stop() then sees one or the other.
        window = measurement;
        if (stopRequested)
        {
            measurement.stop();
        }

        final ClusterSettings clusterSettings = new ClusterSettings(nodeCount, transport, storage,
            null == dataDir ? Path.of(System.getProperty("java.io.tmpdir")) : dataDir, Math.max(1, valueBytes),
            timeoutMs, repairInterval.toMillis(), security);
        final RunResult measured;
        try (EmbeddedCluster cluster = new EmbeddedCluster(clusterSettings))
        {
            if (!cluster.awaitMembership(
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MEMBERSHIP_DEADLINE_MS), measurement::stopped))
            {
                out.println("run stopped by a signal before the nodes were connected: nothing was measured");
                out.flush();
                return 1;
            }
            measured = new RunDriver(cluster, workloadSettings(), measurement).run();
        }
        finally
        {
            window = null;
        }

        result = measured;
        final String modeReport = RunReport.markdown(this, measured, thresholds);
        reports.append(modeReport);
        out.print(modeReport);
        out.flush();
        if (null != outDir)
        {
            // One directory per mode when there are several, so that each keeps its own histograms.
            final Path directory = securityModes.size() > 1 ? outDir.resolve(security.toString()) : outDir;
            Files.createDirectories(directory);
            RunReportWriter.write(directory, RunReport.data(this, measured, thresholds));
        }

        if (thresholds.stream().anyMatch((t) -> !t.holds(measured.measure(t))))
        {
            out.println("run failed: a threshold did not hold (listed first in the report)");
            out.flush();
            return EXIT_THRESHOLD_FAILED;
        }
        final boolean converged = measured.convergenceMs() != RunResult.NOT_CONVERGED;
        if (measured.failed() != 0 || measured.stillInFlight() != 0 || !converged)
        {
            out.printf(Locale.ROOT, "run failed: %,d operations failed, %,d still in flight after the drain, " +
                "replicas converged: %s%n", measured.failed(), measured.stillInFlight(), converged ? "yes" : "NO");
            out.flush();
            return 1;
        }
        return 0;
    }

    /**
     * The run's work between a connected cluster and its report: the client threads, the intervals, the drain,
     * memory and convergence.
     */
    private final class RunDriver
    {
        private final EmbeddedCluster cluster;
        private final WorkloadSettings workload;
        private final MeasurementWindow measurement;
        private final LatencyRecorders recorders = new LatencyRecorders();
        private final IntervalSampler sampler;
        private final boolean statusLines;
        private boolean sampled;

        RunDriver(
            final EmbeddedCluster cluster,
            final WorkloadSettings workload,
            final MeasurementWindow measurement)
        {
            this.cluster = cluster;
            this.workload = workload;
            this.measurement = measurement;
            this.sampler = new IntervalSampler(recorders);
            this.statusLines = progress || null != System.console();
        }

        RunResult run()
        {
            final PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "perf-harness run: %d nodes on %s with %s storage connected, data in %s, " +
                "Aeron in %s; %s, then %s (Ctrl-C stops early with a partial report)%n",
                nodeCount, transport, storage, cluster.dataDirectory(), cluster.aeronDirectory(),
                "warming up " + measurementOptions.describeWarmup("ops"),
                "measuring " + measurementOptions.describeMeasurement("ops"));
            err.flush();

            final LoadGenerator load = new LoadGenerator(cluster.handles(), workload, measurement, recorders);
            final long runStartNs = System.nanoTime();
            measurement.start(runStartNs);
            load.start();
            final long intervalMs = interval.toMillis();
            long nextIntervalNs = runStartNs + interval.toNanos();
            try
            {
                while (!load.awaitIssued(
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextIntervalNs - System.nanoTime()))))
                {
                    if (System.nanoTime() - nextIntervalNs >= 0)
                    {
                        nextIntervalNs += TimeUnit.MILLISECONDS.toNanos(intervalMs);
                        if (measurement.measuring())
                        {
                            sampleAndReport(err);
                        }
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                measurement.stop();
            }

            // Every operation in flight ends by its acknowledgements or its request timeout; wait for that, bounded.
            final Deadline drain = new Deadline(System.nanoTime() +
                TimeUnit.MILLISECONDS.toNanos(timeoutMs + DRAIN_MARGIN_MS));
            while (load.inFlight() > 0 && drain.pause())
            {
                // Polled.
            }
            final long drainEndNs = System.nanoTime();
            final Throwable failure = load.failure();
            if (null != failure)
            {
                throw new IllegalStateException("a client thread failed", failure);
            }
            // Convergence first, before the report's own work, so its figure is the replicas' time, not ours.
            final ConvergenceProbe probe = new ConvergenceProbe(cluster.storages(), keyspaces);
            final long convergenceMs = operationMix.writes() && measurement.measuring() && !convergeTimeout.isZero() ?
                awaitConvergence(probe, drainEndNs) : RunResult.NOT_CHECKED;
            if (measurement.measuring())
            {
                sampleAndReport(err);
            }
            final long measuredNs = measurement.measuring() ? drainEndNs - measurement.measureStartNs() : 0;
            final long measureEndEpochMs = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(
                System.nanoTime() - drainEndNs);
            final long measureStartEpochMs = measureEndEpochMs - TimeUnit.NANOSECONDS.toMillis(measuredNs);
            final MemoryFigures memory = MemoryFigures.measure(cluster.aeronDirectory(), cluster.dataDirectory());

            final List<Long> entries = new ArrayList<>();
            for (int i = 0; i < nodeCount; i++)
            {
                entries.add(probe.entries(i));
            }
            return new RunResult(sampler, RunResult.errorsOf(recorders, null),
                RunResult.errorsByOperationOf(recorders), measureStartEpochMs, measureEndEpochMs, measuredNs,
                load.inFlight(), convergenceMs,
                entries, memory, measurement.stopped());
        }

        /**
         * Poll the nodes' content-tree digests until they agree (cheap: one command per node), then the storages'
         * digests (a scan of every storage) until they agree too.
         *
         * @return milliseconds from the drain's end until the tree digests agreed, when the storages agreed as well
         * within the timeout; {@link RunResult#NOT_CONVERGED} otherwise.
         */
        private long awaitConvergence(final ConvergenceProbe storages, final long drainEndNs)
        {
            final Deadline converge = new Deadline(drainEndNs + convergeTimeout.toNanos());
            final TreeDigestProbe trees = new TreeDigestProbe(cluster.handles(), keyspaces, convergeTimeout.toMillis());
            try
            {
                boolean applied;
                while (!(applied = trees.equal()) && converge.pause())
                {
                    // Polled.
                }
                final long appliedNs = System.nanoTime();
                boolean stored = applied;
                while (applied && !(stored = storages.converged()) && converge.pause())
                {
                    // Polled: the storage commits follow the applies.
                }
                return stored ? TimeUnit.NANOSECONDS.toMillis(appliedNs - drainEndNs) : RunResult.NOT_CONVERGED;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return RunResult.NOT_CONVERGED;
            }
        }

        private void sampleAndReport(final PrintWriter err)
        {
            final long nowEpochMs = System.currentTimeMillis();
            if (!sampled)
            {
                // The first interval starts with the measurement: the warm-up recorded nothing.
                final long sinceStartNs = System.nanoTime() - measurement.measureStartNs();
                sampler.begin(nowEpochMs - TimeUnit.NANOSECONDS.toMillis(sinceStartNs));
                sampled = true;
            }
            final IntervalSampler.Interval last = sampler.sample(nowEpochMs);
            if (statusLines)
            {
                err.println(RunReport.statusLine(last, sampler.intervals().size() + sampler.intervalsDropped(),
                    recorders));
                err.flush();
            }
        }
    }

    private WorkloadSettings workloadSettings()
    {
        return new WorkloadSettings(threads, inFlight, keyspaces, keys, valueBytes, operationMix, consistency,
            null == rate ? 0 : rate, seed);
    }

    /**
     * The settings by option name, defaults included, for the report's data.
     */
    Map<String, String> settings()
    {
        final Map<String, String> settings = OptionChecks.settings(spec);
        settings.put("--security", security.toString());
        return settings;
    }

    /**
     * Everything that can be checked before the cluster starts, one option per message.
     */
    private void validate()
    {
        requireRange("--nodes", nodeCount, 1, MAX_NODES, "nodes");
        requireRange("--keyspaces", keyspaces, 1, StoreContext.DEFAULT_MAX_KEYSPACES, "keyspaces");
        requireRange("--keys", keys, 1, Orswot.MAX_ENTRIES, "keys (the set's capacity)");
        requireRange("--value-size", valueBytes, 0, MAX_VALUE_BYTES, "bytes");
        requireRange("--threads", threads, 1, MAX_THREADS, "threads");
        requireRange("--in-flight", inFlight, 1, MAX_IN_FLIGHT, "operations per thread");
        if ((long)threads * inFlight > MAX_IN_FLIGHT)
        {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                "Invalid value for option '--in-flight': %d threads (--threads) x %d in flight is %,d operations, " +
                "over the %,d the nodes' command queues hold: lower --in-flight or --threads",
                threads, inFlight, (long)threads * inFlight, MAX_IN_FLIGHT));
        }
        requireRange("--timeout-ms", timeoutMs, 1, MAX_TIMEOUT_MS, "ms");
        if (securityModes.stream().distinct().count() != securityModes.size())
        {
            throw invalid("--security", "each mode at most once", given("--security"));
        }
        measurementOptions.validate(spec, "operations", "the run");
        if (repairInterval.toMillis() < 1)
        {
            throw invalid("--repair-interval", "at least 1ms", given("--repair-interval"));
        }
        if (interval.compareTo(MIN_INTERVAL) < 0)
        {
            throw invalid("--interval", "at least 100ms", given("--interval"));
        }
        if (null != rate && !(rate > 0 && rate <= MAX_RATE))
        {
            throw invalid("--rate", "above 0 up to " + (long)MAX_RATE + " ops/s", String.valueOf(rate));
        }
        try
        {
            operationMix = OperationMix.parse(mix);
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid("--mix", "put=..,get=..,delete=.. with integer weights (" + ex.getMessage() + ")", mix);
        }
        thresholds.clear();
        for (final String text : thresholdTexts)
        {
            try
            {
                thresholds.add(Threshold.parse(text));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '--threshold': " + ex.getMessage());
            }
        }

        if (null != dataDir && !Files.isDirectory(dataDir))
        {
            throw invalid("--data-dir", "an existing directory", dataDir.toString());
        }
        if (null != dataDir && !Files.isWritable(dataDir))
        {
            throw invalid("--data-dir", "a directory this user can write", dataDir.toString());
        }
        if (null != output)
        {
            validateOutput();
        }
        OptionChecks.requireOutDir(spec, outDir);
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
        OptionChecks.requireRange(spec, option, value, min, max, unit);
    }

    /**
     * The value of an option as typed, or its default.
     */
    private String given(final String option)
    {
        final OptionSpec spec = this.spec.findOption(option);
        return spec.originalStringValues().isEmpty() ?
            spec.defaultValue() : spec.originalStringValues().get(spec.originalStringValues().size() - 1);
    }

    private ParameterException invalid(final String option, final String accepts, final String value)
    {
        return OptionChecks.invalid(spec, option, accepts, value);
    }

    /**
     * @return the report's line describing the run's set-up.
     */
    String describeSetup()
    {
        return String.format(Locale.ROOT,
            "%d nodes on %s, %s storage; consistency %s; mix %s; %d client thread%s x %d in flight, %s; " +
            "%,d-byte values over %,d keys in %d keyspace%s; warm-up %s, measured %s; seed %d; security %s; " +
            "JDK %s, %d cores.",
            nodeCount, transport, storage, consistency, operationMix, threads, threads == 1 ? "" : "s", inFlight,
            null == rate ? "unthrottled" : String.format(Locale.ROOT, "%,.0f ops/s", rate), valueBytes, keys,
            keyspaces, keyspaces == 1 ? "" : "s",
            measurementOptions.describeWarmup("ops"), measurementOptions.describeMeasurement("ops"), seed,
            security,
            System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param operation an operation.
     * @return its weight in the run's mix.
     */
    int operationWeight(final Operation operation)
    {
        return operationMix.weight(operation);
    }

    /**
     * @return true when the run is rate limited (the corrected series differs from the uncorrected one).
     */
    boolean rateLimited()
    {
        return null != rate;
    }
}
