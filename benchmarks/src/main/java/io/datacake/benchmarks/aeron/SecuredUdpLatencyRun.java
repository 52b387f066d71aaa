package io.datacake.benchmarks.aeron;

import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;
import io.datacake.transport.aeron.AeronDriver;
import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cost of cluster security on the RPC round trip between two nodes over Aeron UDP on loopback: unsecured frames,
 * {@link FrameProtection#AUTHENTICATE} and {@link FrameProtection#ENCRYPT}, in alternating rounds inside one JVM so
 * that the noise of a shared machine hits all three alike. Every round trip is recorded (HdrHistogram); prints a
 * markdown table with each mode's percentiles and their ratio to unsecured frames.
 * <p>
 * Usage: {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks.jar
 * io.datacake.benchmarks.aeron.SecuredUdpLatencyRun [rounds] [roundTripsPerRound] [warmupRounds]}
 */
public final class SecuredUdpLatencyRun
{
    private static final int[] MESSAGE_LENGTHS = { 32, 1024 };
    private static final String BASELINE = "off";

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
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : AeronLatencyRun.DEFAULT_ROUNDS;
        final int perRound = args.length > 1 ?
            Integer.parseInt(args[1]) : AeronLatencyRun.DEFAULT_ROUND_TRIPS_PER_ROUND;
        final int warmupRounds = args.length > 2 ? Integer.parseInt(args[2]) : AeronLatencyRun.DEFAULT_WARMUP_ROUNDS;

        final Map<String, PingPongFactory> variants = variants();
        System.out.println("# RPC round trip over Aeron UDP, security off / authenticate / encrypt, " +
            BenchMedia.DESCRIPTION);
        System.out.printf("rounds=%d roundTripsPerRound=%d warmupRounds=%d%n%n", rounds, perRound, warmupRounds);
        System.out.println("| media | bytes | security | round trips | p50 us | p90 us | p99 us | p99.9 us | max us | " +
            "p50 ratio | p99 ratio |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (final int messageLength : MESSAGE_LENGTHS)
        {
            final Map<String, Histogram> histograms = new LinkedHashMap<>();
            variants.keySet().forEach((name) -> histograms.put(name, new Histogram(3_600_000_000_000L, 3)));
            try (AeronDriver driver = BenchMedia.launchDriver())
            {
                for (int round = 0; round < warmupRounds + rounds; round++)
                {
                    for (final Map.Entry<String, PingPongFactory> variant : variants.entrySet())
                    {
                        final Histogram histogram = round < warmupRounds ? null : histograms.get(variant.getKey());
                        AeronLatencyRun.runRound(variant.getValue(), driver, "udp", messageLength, perRound, histogram);
                    }
                }
            }
            final Histogram baseline = histograms.get(BASELINE);
            histograms.forEach((name, histogram) ->
                AeronLatencyRun.print("udp", messageLength, name, histogram, baseline));
        }
    }

    private static Map<String, PingPongFactory> variants()
    {
        final byte[] secret = new byte[32];
        Arrays.fill(secret, (byte)0x5c);
        final Keyring keyring = Keyring.of(1, secret);
        final Map<String, PingPongFactory> variants = new LinkedHashMap<>();
        variants.put(BASELINE, (driver, endpoints, length) -> new RpcPingPong(driver, endpoints, length, false));
        for (final FrameProtection protection : FrameProtection.values())
        {
            variants.put(protection.name().toLowerCase(java.util.Locale.ROOT), (driver, endpoints, length) ->
                new RpcPingPong(driver, endpoints, length, false, keyring, protection));
        }
        return variants;
    }
}
