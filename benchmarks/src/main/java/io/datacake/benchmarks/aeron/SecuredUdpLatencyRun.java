package io.datacake.benchmarks.aeron;

import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;
import io.datacake.transport.aeron.AeronDriver;
import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.Locale;

/**
 * The cost of cluster security on the RPC round trip between two nodes over Aeron UDP on loopback: unsecured frames,
 * {@link FrameProtection#AUTHENTICATE} and {@link FrameProtection#ENCRYPT}.
 * <p>
 * A single long run per mode cannot show a 15% effect here: the p50 of one configuration moves by tens of
 * microseconds between runs, depending on which side of an idle-strategy park a round trip tends to fall. So the
 * three modes run side by side in one process, each on its own pair of nodes but all on the same media driver and
 * with the same idle strategies, in many short rounds: every round measures each mode once, in an order that
 * rotates from round to round (off, auth, enc; then auth, enc, off; ...), so drifts of the machine fall on all modes
 * alike. Per mode it reports the median over rounds of the round's p50 and p99, the ratio of those medians to
 * {@code off}, and the median of the per-round ratio to the {@code off} round next to it (a paired comparison).
 * <p>
 * Usage: {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks.jar
 * io.datacake.benchmarks.aeron.SecuredUdpLatencyRun [rounds] [roundTripsPerRound] [warmupRounds]}
 */
public final class SecuredUdpLatencyRun
{
    /** Measured rounds unless given. */
    public static final int DEFAULT_ROUNDS = 60;
    /** Round trips per mode per round unless given. */
    public static final int DEFAULT_ROUND_TRIPS_PER_ROUND = 2_000;
    /** Unrecorded rounds first, unless given. */
    public static final int DEFAULT_WARMUP_ROUNDS = 5;

    private static final int[] MESSAGE_LENGTHS = { 32, 1024 };
    private static final String[] MODES = { "off", "authenticate", "encrypt" };
    private static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;

    private SecuredUdpLatencyRun()
    {
    }

    /**
     * Run the comparison.
     *
     * @param args optional {@code rounds roundTripsPerRound warmupRounds}.
     */
    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ROUNDS;
        final int perRound = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_ROUND_TRIPS_PER_ROUND;
        final int warmupRounds = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_WARMUP_ROUNDS;

        System.out.println("# RPC round trip over Aeron UDP, security off / authenticate / encrypt, modes interleaved");
        System.out.println("idle strategies (the same for every mode): " + BenchMedia.DESCRIPTION);
        System.out.printf("rounds=%d roundTripsPerRound=%d warmupRounds=%d%n%n", rounds, perRound, warmupRounds);
        System.out.println("| bytes | security | rounds | round trips | median p50 us | p50 p25-p75 us | " +
            "median p99 us | p50 ratio | p99 ratio | paired p50 ratio | rounds within 1.15x |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (final int messageLength : MESSAGE_LENGTHS)
        {
            final long[][] p50 = new long[MODES.length][rounds];
            final long[][] p99 = new long[MODES.length][rounds];
            final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
            try (AeronDriver driver = BenchMedia.launchDriver())
            {
                final PingPong[] pingPongs = pingPongs(driver, messageLength);
                try
                {
                    for (int round = 0; round < warmupRounds + rounds; round++)
                    {
                        for (int i = 0; i < MODES.length; i++)
                        {
                            final int mode = (round + i) % MODES.length;
                            histogram.reset();
                            measure(pingPongs[mode], perRound, histogram);
                            if (round >= warmupRounds)
                            {
                                p50[mode][round - warmupRounds] = histogram.getValueAtPercentile(50);
                                p99[mode][round - warmupRounds] = histogram.getValueAtPercentile(99);
                            }
                        }
                    }
                }
                finally
                {
                    for (final PingPong pingPong : pingPongs)
                    {
                        pingPong.close();
                    }
                }
            }
            for (int mode = 0; mode < MODES.length; mode++)
            {
                print(messageLength, mode, rounds, perRound, p50, p99);
            }
        }
    }

    private static PingPong[] pingPongs(final AeronDriver driver, final int messageLength)
    {
        final byte[] secret = new byte[32];
        Arrays.fill(secret, (byte)0x5c);
        final Keyring keyring = Keyring.of(1, secret);
        return new PingPong[]{
            new RpcPingPong(driver, BenchMedia.endpoints("udp"), messageLength, false),
            new RpcPingPong(driver, BenchMedia.endpoints("udp"), messageLength, false, keyring,
                FrameProtection.AUTHENTICATE),
            new RpcPingPong(driver, BenchMedia.endpoints("udp"), messageLength, false, keyring,
                FrameProtection.ENCRYPT) };
    }

    private static void measure(final PingPong pingPong, final int roundTrips, final Histogram histogram)
    {
        for (int i = 0; i < roundTrips; i++)
        {
            final long startNs = System.nanoTime();
            pingPong.roundTrip();
            histogram.recordValue(System.nanoTime() - startNs);
        }
    }

    private static void print(
        final int messageLength, final int mode, final int rounds, final int perRound, final long[][] p50,
        final long[][] p99)
    {
        final double[] paired = new double[rounds];
        int within = 0;
        for (int round = 0; round < rounds; round++)
        {
            paired[round] = (double)p50[mode][round] / p50[0][round];
            within += paired[round] <= 1.15 ? 1 : 0;
        }
        final double medianP50 = median(p50[mode]);
        final double medianP99 = median(p99[mode]);
        System.out.printf(Locale.ROOT,
            "| %d | %s | %d | %d | %.1f | %.1f-%.1f | %.1f | %.2f | %.2f | %.2f | %d of %d |%n",
            messageLength, MODES[mode], rounds, (long)rounds * perRound, us(medianP50),
            us(quantile(p50[mode], 0.25)), us(quantile(p50[mode], 0.75)), us(medianP99),
            medianP50 / median(p50[0]), medianP99 / median(p99[0]), median(paired), within, rounds);
    }

    private static double median(final long[] values)
    {
        return quantile(values, 0.5);
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Linear interpolation between the closest ranks.
     */
    private static double quantile(final long[] values, final double q)
    {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        final double position = q * (sorted.length - 1);
        final int lower = (int)Math.floor(position);
        final int upper = Math.min(lower + 1, sorted.length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    private static double us(final double ns)
    {
        return ns / 1000.0;
    }
}
