package io.datacake.benchmarks.store;

import io.datacake.benchmarks.aeron.AeronLatencyRun;
import io.datacake.benchmarks.aeron.BenchMedia;
import io.datacake.benchmarks.aeron.PingPongFactory;
import io.datacake.benchmarks.aeron.RawAeronPingPong;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.NodeContext;
import io.datacake.node.NodeCounters;
import io.datacake.store.KeyspaceHandle;
import io.datacake.store.WriteCallback;
import io.datacake.store.WriteStatus;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronDriverSettings;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One put at a time on a 3-node replicated store over Aeron UDP on loopback, against the raw Aeron UDP round trip of
 * the put's frame size, measured in the same JVM and run. The raw ping-pong runs between the cluster's own media
 * drivers of nodes 1 and 2 (one embedded driver per node, default {@link AeronDriverSettings}), so both sides cross
 * the same driver threads; rounds alternate raw, put NONE, put ONE and put QUORUM, so the noise of a shared machine
 * hits them alike, and before each variant the cluster is left to go quiet (a round of NONE leaves one-way copies to
 * the other members in flight, which a measured round must not queue behind). Puts go to node 1 through the
 * allocation-free callback form, one in flight: a put's latency runs from the call until the client thread sees its
 * callback's outcome. The client thread and both raw threads (pinger and echo) wait with the benchmarks' application
 * idle strategy ({@link BenchMedia#newApplicationIdleStrategy()}), as in
 * {@link io.datacake.benchmarks.aeron.AeronLatencyRun}; the node threads keep their defaults.
 * <p>
 * Prints the put's frame length (bytes node 1 sent per frame during a burst of puts at ONE), then a markdown table:
 * p50, p90, p99, p99.9 and max per variant, and each put's p50 and p99 as a multiple of the raw round trip's.
 * <p>
 * Usage: {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED [-Ddatacake.bench.put.asBefore=true]
 * -cp benchmarks.jar io.datacake.benchmarks.store.PutLatencyRun [rounds] [operationsPerRound] [warmupRounds]
 * [valueBytes]}
 */
public final class PutLatencyRun
{
    /** Default number of measured rounds. */
    public static final int DEFAULT_ROUNDS = 5;
    /** Default operations per variant per round. */
    public static final int DEFAULT_OPERATIONS_PER_ROUND = 5_000;
    /** Default unrecorded warm-up rounds. */
    public static final int DEFAULT_WARMUP_ROUNDS = 2;
    /** Default value length, bytes. */
    public static final int DEFAULT_VALUE_BYTES = 128;

    /**
     * System property: {@code true} runs the cluster as it was before inline commits and the node's awaiting idle
     * strategy (both off), for a comparison on the same machine.
     */
    public static final String AS_BEFORE_PROPERTY = "datacake.bench.put.asBefore";

    private static final int NODES = 3;
    private static final int KEYS = 100_000;
    private static final long MEMBERSHIP_TIMEOUT_MS = 60_000;
    private static final int FRAME_PROBE_PUTS = 1_000;
    private static final String RAW = "raw Aeron UDP";
    private static final ConsistencyLevel[] LEVELS =
        { ConsistencyLevel.NONE, ConsistencyLevel.ONE, ConsistencyLevel.QUORUM };
    private static final long HIGHEST_TRACKABLE_NS = 3_600_000_000_000L;

    private final KeyspaceHandle keyspace;
    private final UnsafeBuffer value;
    private final IdleStrategy clientIdle = BenchMedia.newApplicationIdleStrategy();
    private final WriteCallback callback = this::onWriteComplete;
    private volatile long completed;
    private volatile WriteStatus lastStatus;
    private long sequence;
    private long failures;

    private PutLatencyRun(final KeyspaceHandle keyspace, final int valueBytes)
    {
        this.keyspace = keyspace;
        this.value = new UnsafeBuffer(new byte[valueBytes]);
    }

    /**
     * Run the comparison.
     *
     * @param args optional {@code rounds operationsPerRound warmupRounds valueBytes}.
     */
    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ROUNDS;
        final int perRound = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_OPERATIONS_PER_ROUND;
        final int warmupRounds = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_WARMUP_ROUNDS;
        final int valueBytes = args.length > 3 ? Integer.parseInt(args[3]) : DEFAULT_VALUE_BYTES;

        final boolean asBefore = Boolean.getBoolean(AS_BEFORE_PROPERTY);
        final long startNs = System.nanoTime();
        try (UdpStoreCluster cluster = new UdpStoreCluster(NODES, AeronDriverSettings::new, asBefore))
        {
            cluster.awaitMembership(MEMBERSHIP_TIMEOUT_MS);
            final PutLatencyRun run = new PutLatencyRun(cluster.handles().get(0).keyspace("bench"), valueBytes);
            final NodeCounters counters = cluster.nodes().get(0).counters();
            final long bytesBefore = counters.rpc().bytesOut.get();
            final long framesBefore = counters.rpc().framesOut.get();
            run.puts(ConsistencyLevel.ONE, FRAME_PROBE_PUTS, null);
            final int frameLength = (int)Math.round(
                (double)(counters.rpc().bytesOut.get() - bytesBefore) / (counters.rpc().framesOut.get() - framesBefore));

            System.out.println("# put at NONE / ONE / QUORUM, one in flight, against the raw Aeron UDP round trip" +
                (asBefore ? " (as before: no inline commits, no awaiting idle strategy)" : ""));
            System.out.printf(Locale.ROOT, "%d nodes on Aeron UDP (loopback), a driver per node: %s; " +
                "node threads: idle %s, awaiting %s; client, raw pinger and raw echo: %s; " +
                "memory storage; %d-byte values; " +
                "frame length %d bytes (node 1's average during %d puts at ONE); JDK %s, %d cores%n",
                NODES, "ThreadingMode." + new AeronDriverSettings().threadingMode() + ", driver idle " +
                AeronDriverSettings.defaultDriverIdleStrategy(), NodeContext.newDefaultIdleStrategy(),
                asBefore ? "as idle" : NodeContext.newDefaultAwaitingIdleStrategy(), BenchMedia.newApplicationIdleStrategy(), valueBytes,
                frameLength, FRAME_PROBE_PUTS, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
            System.out.printf("rounds=%d operationsPerRound=%d warmupRounds=%d%n%n", rounds, perRound, warmupRounds);

            final Map<String, Histogram> histograms = new LinkedHashMap<>();
            histograms.put(RAW, new Histogram(HIGHEST_TRACKABLE_NS, 3));
            for (final ConsistencyLevel level : LEVELS)
            {
                histograms.put("put " + level, new Histogram(HIGHEST_TRACKABLE_NS, 3));
            }
            for (int round = 0; round < warmupRounds + rounds; round++)
            {
                final boolean measured = round >= warmupRounds;
                rawRound(cluster, frameLength, perRound, measured ? histograms.get(RAW) : null);
                for (final ConsistencyLevel level : LEVELS)
                {
                    cluster.awaitQuiet();
                    run.puts(level, perRound, measured ? histograms.get("put " + level) : null);
                }
                cluster.awaitQuiet();
            }
            print(histograms);
            System.out.printf(Locale.ROOT, "%nfailed puts: %d; load average at the end: %.2f; took %.1f s%n",
                run.failures, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                (System.nanoTime() - startNs) / 1e9);
        }
    }

    private static void rawRound(
        final UdpStoreCluster cluster, final int frameLength, final int roundTrips, final Histogram histogram)
    {
        final AeronDriver echoDriver = cluster.drivers().get(1);
        final PingPongFactory acrossDrivers = (pingDriver, endpoints, length) -> new RawAeronPingPong(
            pingDriver.aeron(), echoDriver.aeron(), endpoints, length, false, BenchMedia.newApplicationIdleStrategy(),
            BenchMedia.newApplicationIdleStrategy());
        AeronLatencyRun.runRound(acrossDrivers, cluster.drivers().get(0), "udp", frameLength, roundTrips, histogram);
    }

    private void puts(final ConsistencyLevel level, final int count, final Histogram histogram)
    {
        for (int i = 0; i < count; i++)
        {
            final long seq = ++sequence;
            final long startNs = System.nanoTime();
            clientIdle.reset();
            while (!keyspace.put(seq % KEYS, value, 0, value.capacity(), level, callback, seq))
            {
                clientIdle.idle();
            }
            clientIdle.reset();
            while (completed != seq)
            {
                clientIdle.idle();
            }
            final long elapsedNs = System.nanoTime() - startNs;
            if (WriteStatus.ACKNOWLEDGED != lastStatus)
            {
                failures++;
            }
            else if (null != histogram)
            {
                histogram.recordValue(elapsedNs);
            }
        }
    }

    private void onWriteComplete(
        final long context, final WriteStatus status, final int acknowledged, final int required,
        final RuntimeException failure)
    {
        lastStatus = status;
        completed = context;
    }

    private static void print(final Map<String, Histogram> histograms)
    {
        final Histogram raw = histograms.get(RAW);
        System.out.println("| variant | count | p50 us | p90 us | p99 us | p99.9 us | max us | p50 / raw p50 | " +
            "p99 / raw p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        histograms.forEach((name, histogram) -> System.out.printf(Locale.ROOT,
            "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |%n",
            name, histogram.getTotalCount(), us(histogram.getValueAtPercentile(50)),
            us(histogram.getValueAtPercentile(90)), us(histogram.getValueAtPercentile(99)),
            us(histogram.getValueAtPercentile(99.9)), us(histogram.getMaxValue()),
            (double)histogram.getValueAtPercentile(50) / raw.getValueAtPercentile(50),
            (double)histogram.getValueAtPercentile(99) / raw.getValueAtPercentile(99)));
    }

    private static double us(final long ns)
    {
        return ns / 1000.0;
    }
}
