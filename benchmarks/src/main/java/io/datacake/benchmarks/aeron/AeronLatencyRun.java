package io.datacake.benchmarks.aeron;

import io.datacake.transport.aeron.AeronDriver;
import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HdrHistogram latency run: every round trip is recorded, for bare Aeron and for each datacake layer, alternating in
 * rounds inside one JVM so that the noise of a shared machine hits all of them alike. Prints a markdown table with
 * each variant's percentiles and their ratio to bare Aeron.
 * <p>
 * Usage: {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks.jar
 * io.datacake.benchmarks.aeron.AeronLatencyRun [rounds] [roundTripsPerRound] [warmupRounds]}
 */
public final class AeronLatencyRun
{
    /** Default number of measured rounds per variant. */
    public static final int DEFAULT_ROUNDS = 5;
    /** Default number of round trips per round. */
    public static final int DEFAULT_ROUND_TRIPS_PER_ROUND = 20_000;
    /** Default number of unrecorded warm-up rounds per variant. */
    public static final int DEFAULT_WARMUP_ROUNDS = 2;

    private static final String[] MEDIA = { "ipc", "udp" };
    private static final int[] MESSAGE_LENGTHS = { 32, 1024 };

    private AeronLatencyRun()
    {
    }

    /**
     * Run the latency comparison.
     *
     * @param args optional {@code rounds roundTripsPerRound warmupRounds}.
     */
    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ROUNDS;
        final int perRound = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_ROUND_TRIPS_PER_ROUND;
        final int warmupRounds = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_WARMUP_ROUNDS;

        final Map<String, PingPongFactory> variants = variants();
        System.out.println("# Aeron round-trip latency (HdrHistogram), " + BenchMedia.DESCRIPTION);
        System.out.printf("rounds=%d roundTripsPerRound=%d warmupRounds=%d%n%n", rounds, perRound, warmupRounds);
        System.out.println("| media | bytes | variant | round trips | p50 us | p90 us | p99 us | p99.9 us | max us | " +
            "p50 ratio | p99 ratio |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");

        for (final String media : MEDIA)
        {
            for (final int messageLength : MESSAGE_LENGTHS)
            {
                final Map<String, Histogram> histograms = new LinkedHashMap<>();
                variants.keySet().forEach((name) -> histograms.put(name, new Histogram(3_600_000_000_000L, 3)));
                try (AeronDriver driver = BenchMedia.launchDriver())
                {
                    for (int round = 0; round < warmupRounds + rounds; round++)
                    {
                        for (final Map.Entry<String, PingPongFactory> variant :
                            variants.entrySet())
                        {
                            final Histogram histogram = round < warmupRounds ? null : histograms.get(variant.getKey());
                            runRound(variant.getValue(), driver, media, messageLength, perRound, histogram);
                        }
                    }
                }
                final Histogram baseline = histograms.get("rawAeron");
                for (final Map.Entry<String, Histogram> entry : histograms.entrySet())
                {
                    print(media, messageLength, entry.getKey(), entry.getValue(), baseline);
                }
            }
        }
    }

    static Map<String, PingPongFactory> variants()
    {
        final Map<String, PingPongFactory> variants = new LinkedHashMap<>();
        variants.put("rawAeron",
            (driver, endpoints, length) -> new RawAeronPingPong(driver.aeron(), endpoints, length, false));
        variants.put("transport", (driver, endpoints, length) -> new TransportPingPong(driver, endpoints, length, false));
        variants.put("rpc", (driver, endpoints, length) -> new RpcPingPong(driver, endpoints, length, false));
        variants.put("rpcNodeCall", NodeCallPingPong::new);
        return variants;
    }

    /**
     * One round: a fresh ping-pong on new endpoints, its round trips recorded unless the histogram is null (warm-up).
     *
     * @param factory       makes the ping-pong.
     * @param driver        the pinging side's driver.
     * @param media         {@code ipc} or {@code udp}.
     * @param messageLength bytes per message.
     * @param roundTrips    round trips in the round.
     * @param histogram     where each round trip's nanoseconds go, or null.
     */
    public static void runRound(
        final PingPongFactory factory,
        final AeronDriver driver,
        final String media,
        final int messageLength,
        final int roundTrips,
        final Histogram histogram)
    {
        try (PingPong pingPong = factory.create(driver, BenchMedia.endpoints(media), messageLength))
        {
            for (int i = 0; i < roundTrips; i++)
            {
                final long startNs = System.nanoTime();
                pingPong.roundTrip();
                final long elapsedNs = System.nanoTime() - startNs;
                if (null != histogram)
                {
                    histogram.recordValue(elapsedNs);
                }
            }
        }
    }

    static void print(
        final String media,
        final int messageLength,
        final String variant,
        final Histogram histogram,
        final Histogram baseline)
    {
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |%n",
            media, messageLength, variant, histogram.getTotalCount(),
            us(histogram.getValueAtPercentile(50)), us(histogram.getValueAtPercentile(90)),
            us(histogram.getValueAtPercentile(99)), us(histogram.getValueAtPercentile(99.9)),
            us(histogram.getMaxValue()),
            (double)histogram.getValueAtPercentile(50) / baseline.getValueAtPercentile(50),
            (double)histogram.getValueAtPercentile(99) / baseline.getValueAtPercentile(99));
    }

    private static double us(final long ns)
    {
        return ns / 1000.0;
    }
}
