package io.datacake.benchmarks.aeron;

import io.datacake.benchmarks.security.FrameTagFloor;
import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;
import io.datacake.transport.aeron.AeronDriver;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * {@code off}, the median of the per-round ratio to the {@code off} round next to it (a paired comparison) and the
 * median of the per-round difference, next to the least that the four tags of a round trip cost, measured in the same
 * process with a sealer and an opener alone ({@link FrameTagFloor}).
 * <p>
 * Two set-ups:
 * <ul>
 * <li>default: one embedded driver in {@code ThreadingMode.SHARED} for all pairs, and the echoing nodes on their own
 * threads, every thread with the backoff idle strategies of {@link BenchMedia}: the set-up of the other Aeron runs,
 * at 32 and 1024 bytes. On two cores the driver, the caller and the echoer compete, and where their parks fall
 * decides the p50 as much as the work does.</li>
 * <li>{@code --spin}: the cost of security isolated. Each side has its own driver in {@code ThreadingMode.INVOKER},
 * run inside its node's polls; the calling node is stepped by the main thread and the echoing node of the mode being
 * measured by one echo thread, both busy-spinning: exactly two threads run, one per core on a two-core machine, and
 * nothing parks or yields. Before each mode's round a few round trips ({@value #SETTLE_ROUND_TRIPS}) go unrecorded,
 * as the pair was not polled while the others ran. Body sizes 32 to 1024 bytes.</li>
 * </ul>
 * Every driver and its directory is closed and deleted at the end, on failure, and on SIGINT/SIGTERM (the run stops
 * after the round in progress).
 * <p>
 * Usage: {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks.jar
 * io.datacake.benchmarks.aeron.SecuredUdpLatencyRun [--spin] [rounds] [roundTripsPerRound] [warmupRounds]}
 */
public final class SecuredUdpLatencyRun
{
    /** Measured rounds unless given. */
    public static final int DEFAULT_ROUNDS = 60;
    /** Round trips per mode per round unless given. */
    public static final int DEFAULT_ROUND_TRIPS_PER_ROUND = 2_000;
    /** Unrecorded rounds first, unless given. */
    public static final int DEFAULT_WARMUP_ROUNDS = 5;
    /** Unrecorded round trips before each mode's round with {@code --spin}, after the pair sat unpolled. */
    public static final int SETTLE_ROUND_TRIPS = 200;
    /** Timings per seal and per open behind each tag floor. */
    public static final int FLOOR_TIMINGS = 100_000;
    /** How long SIGINT/SIGTERM waits for the round in progress to end and the drivers to close. */
    public static final long STOP_WAIT_MS = 30_000;

    private static final int[] MESSAGE_LENGTHS = { 32, 1024 };
    private static final int[] SPIN_MESSAGE_LENGTHS = { 32, 128, 256, 512, 1024 };
    private static final String[] MODES = { "off", "authenticate", "encrypt" };
    private static final FrameProtection[] PROTECTIONS =
        { null, FrameProtection.AUTHENTICATE, FrameProtection.ENCRYPT };
    private static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;

    private static volatile boolean stopRequested;

    private SecuredUdpLatencyRun()
    {
    }

    /**
     * Run the comparison.
     *
     * @param args optional {@code --spin}, then optional {@code rounds roundTripsPerRound warmupRounds}.
     */
    public static void main(final String[] args)
    {
        final boolean spin = args.length > 0 && "--spin".equals(args[0]);
        final String[] numbers = spin ? Arrays.copyOfRange(args, 1, args.length) : args;
        final int rounds = numbers.length > 0 ? Integer.parseInt(numbers[0]) : DEFAULT_ROUNDS;
        final int perRound = numbers.length > 1 ? Integer.parseInt(numbers[1]) : DEFAULT_ROUND_TRIPS_PER_ROUND;
        final int warmupRounds = numbers.length > 2 ? Integer.parseInt(numbers[2]) : DEFAULT_WARMUP_ROUNDS;

        final Thread main = Thread.currentThread();
        final Thread stopHook = new Thread(() ->
        {
            stopRequested = true;
            try
            {
                main.join(STOP_WAIT_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "stop-on-signal");
        Runtime.getRuntime().addShutdownHook(stopHook);

        System.out.println("# RPC round trip over Aeron UDP, security off / authenticate / encrypt, modes interleaved");
        System.out.println(spin ?
            "set-up: --spin, a driver per side in ThreadingMode.INVOKER run inside its node's polls; caller on the " +
            "main thread, echoer on one echo thread, both BusySpinIdleStrategy; term 16 MiB" :
            "idle strategies (the same for every mode): " + BenchMedia.DESCRIPTION);
        System.out.printf("rounds=%d roundTripsPerRound=%d warmupRounds=%d%n%n", rounds, perRound, warmupRounds);
        final StringBuilder table = new StringBuilder(
            "| bytes | security | rounds | round trips | median p50 us | p50 p25-p75 us | median p99 us | " +
            "p50 ratio | p99 ratio | paired p50 ratio | rounds within 1.15x | paired p50 added us | tag floor us |\n" +
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        final StringBuilder summary = new StringBuilder(
            "| bytes | p50 off us | p50 auth us | p50 enc us | paired p50 ratio auth | paired p50 ratio enc | " +
            "auth added us | auth tag floor us | enc added us | enc tag floor us |\n" +
            "|---|---|---|---|---|---|---|---|---|---|\n");
        for (final int messageLength : spin ? SPIN_MESSAGE_LENGTHS : MESSAGE_LENGTHS)
        {
            final long[] floorNs = new long[MODES.length];
            for (int mode = 1; mode < MODES.length; mode++)
            {
                floorNs[mode] = new FrameTagFloor(PROTECTIONS[mode], messageLength).roundTripNs(FLOOR_TIMINGS);
            }
            final long[][] p50 = new long[MODES.length][rounds];
            final long[][] p99 = new long[MODES.length][rounds];
            final int measured;
            try (Rig rig = spin ? new SpinRig(messageLength) : new SharedDriverRig(messageLength))
            {
                measured = measure(rig, spin ? SETTLE_ROUND_TRIPS : 0, rounds, perRound, warmupRounds, p50, p99);
            }
            if (measured > 0)
            {
                final Row[] rows = new Row[MODES.length];
                for (int mode = 0; mode < MODES.length; mode++)
                {
                    rows[mode] = new Row(mode, measured, p50, p99);
                    table.append(rows[mode].format(messageLength, perRound, p50, p99, floorNs[mode]));
                }
                summary.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.3f | %.3f | %.2f | %.2f | " +
                    "%.2f | %.2f |%n", messageLength, us(rows[0].medianP50), us(rows[1].medianP50),
                    us(rows[2].medianP50), rows[1].pairedRatio, rows[2].pairedRatio, us(rows[1].pairedAddedNs),
                    us(floorNs[1]), us(rows[2].pairedAddedNs), us(floorNs[2])));
            }
            if (stopRequested)
            {
                break;
            }
        }
        System.out.println(table);
        System.out.println(summary);
        if (stopRequested)
        {
            System.out.println("stopped by a signal: the tables hold the sizes and rounds measured before it");
        }
        else
        {
            Runtime.getRuntime().removeShutdownHook(stopHook);
        }
    }

    /**
     * Run the rounds, each measuring every mode once in an order that rotates from round to round.
     *
     * @return the rounds recorded: all of them, or fewer after a stop request.
     */
    private static int measure(
        final Rig rig, final int settleRoundTrips, final int rounds, final int perRound, final int warmupRounds,
        final long[][] p50, final long[][] p99)
    {
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        for (int round = 0; round < warmupRounds + rounds; round++)
        {
            if (stopRequested)
            {
                return Math.max(0, round - warmupRounds);
            }
            for (int i = 0; i < MODES.length; i++)
            {
                final int mode = (round + i) % MODES.length;
                final PingPong pingPong = rig.select(mode);
                for (int settle = 0; settle < settleRoundTrips; settle++)
                {
                    pingPong.roundTrip();
                }
                histogram.reset();
                for (int roundTrip = 0; roundTrip < perRound; roundTrip++)
                {
                    final long startNs = System.nanoTime();
                    pingPong.roundTrip();
                    histogram.recordValue(System.nanoTime() - startNs);
                }
                if (round >= warmupRounds)
                {
                    p50[mode][round - warmupRounds] = histogram.getValueAtPercentile(50);
                    p99[mode][round - warmupRounds] = histogram.getValueAtPercentile(99);
                }
            }
        }
        return rounds;
    }

    private static Keyring keyring()
    {
        final byte[] secret = new byte[32];
        Arrays.fill(secret, (byte)0x5c);
        return Keyring.of(1, secret);
    }

    /**
     * The three pairs of nodes, one per mode, and the threads and drivers that run them.
     */
    private interface Rig extends AutoCloseable
    {
        /**
         * @param mode index into {@link #MODES}.
         * @return the mode's ping-pong, ready to be run on the calling thread.
         */
        PingPong select(int mode);

        /**
         * Stop every thread, close every node and driver, delete every driver directory.
         */
        void close();
    }

    /**
     * One shared driver, echoing nodes on their own threads, backoff idle strategies everywhere.
     */
    private static final class SharedDriverRig implements Rig
    {
        private final AeronDriver driver = BenchMedia.launchDriver();
        private final List<PingPong> pingPongs = new ArrayList<>();

        SharedDriverRig(final int messageLength)
        {
            final Keyring keyring = keyring();
            try
            {
                for (final FrameProtection protection : PROTECTIONS)
                {
                    pingPongs.add(new RpcPingPong(driver, BenchMedia.endpoints("udp"), messageLength, false,
                        null == protection ? null : keyring, null == protection ? FrameProtection.AUTHENTICATE :
                        protection));
                }
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        public PingPong select(final int mode)
        {
            return pingPongs.get(mode);
        }

        public void close()
        {
            try
            {
                CloseHelper.closeAll(pingPongs);
            }
            finally
            {
                driver.close();
            }
        }
    }

    /**
     * An invoked driver per side of every pair; the main thread steps the callers, one echo thread steps the echoing
     * node of the selected mode only; both busy-spin.
     */
    private static final class SpinRig implements Rig
    {
        private final List<AeronDriver> drivers = new ArrayList<>();
        private final List<RpcPingPong> pingPongs = new ArrayList<>();
        private final AgentInvoker[] echoInvokers = new AgentInvoker[MODES.length];
        private final PollingThread echoThread;
        private volatile int selected;
        private int lastPolledMode = -1;

        SpinRig(final int messageLength)
        {
            final Keyring keyring = keyring();
            try
            {
                for (int mode = 0; mode < MODES.length; mode++)
                {
                    final AeronDriver callerDriver = launch();
                    final AeronDriver echoDriver = launch();
                    final FrameProtection protection = PROTECTIONS[mode];
                    final RpcPingPong pingPong = new RpcPingPong(callerDriver, echoDriver,
                        BenchMedia.endpoints("udp"), messageLength, null == protection ? null : keyring,
                        null == protection ? FrameProtection.AUTHENTICATE : protection, new BusySpinIdleStrategy());
                    pingPongs.add(pingPong);
                    echoInvokers[mode] = pingPong.echoInvoker();
                }
            }
            catch (final RuntimeException ex)
            {
                closeNodesAndDrivers();
                throw ex;
            }
            // Started after the nodes were built on this thread: Thread.start() publishes them to the echo thread.
            echoThread = new PollingThread("echo", new BusySpinIdleStrategy(), this::pollEcho).start();
        }

        private AeronDriver launch()
        {
            final AeronDriver driver = BenchMedia.launchInvokedDriver();
            drivers.add(driver);
            return driver;
        }

        public PingPong select(final int mode)
        {
            // One duty cycle of every caller at each switch, so that no client goes unpolled for a whole run: an
            // invoked Aeron client not polled within the driver timeout is ended for good.
            for (final RpcPingPong pingPong : pingPongs)
            {
                pingPong.pollCaller();
            }
            selected = mode;
            return pingPongs.get(mode);
        }

        /**
         * The echo thread's poll: the selected echoing node, and every echoing node once when the selection changed.
         */
        private int pollEcho()
        {
            final int mode = selected;
            if (mode != lastPolledMode)
            {
                lastPolledMode = mode;
                for (final AgentInvoker echoInvoker : echoInvokers)
                {
                    echoInvoker.invoke();
                }
            }
            return echoInvokers[mode].invoke();
        }

        public void close()
        {
            // Joined before anything closes: no thread steps a node or driver while it is closed.
            echoThread.stop();
            closeNodesAndDrivers();
        }

        private void closeNodesAndDrivers()
        {
            try
            {
                CloseHelper.closeAll(pingPongs);
            }
            finally
            {
                // Even when a node failed to close (e.g. its Aeron client died): the drivers own the directories.
                CloseHelper.closeAll(drivers);
            }
        }
    }

    /**
     * One mode's figures over the recorded rounds.
     */
    private static final class Row
    {
        private final int mode;
        private final int rounds;
        private final double medianP50;
        private final double medianP99;
        private final double pairedRatio;
        private final double pairedAddedNs;
        private final int within;

        Row(final int mode, final int rounds, final long[][] p50, final long[][] p99)
        {
            this.mode = mode;
            this.rounds = rounds;
            final double[] ratios = new double[rounds];
            final double[] added = new double[rounds];
            int within = 0;
            for (int round = 0; round < rounds; round++)
            {
                ratios[round] = (double)p50[mode][round] / p50[0][round];
                added[round] = p50[mode][round] - p50[0][round];
                within += ratios[round] <= 1.15 ? 1 : 0;
            }
            this.within = within;
            medianP50 = quantile(p50[mode], rounds, 0.5);
            medianP99 = quantile(p99[mode], rounds, 0.5);
            pairedRatio = median(ratios);
            pairedAddedNs = median(added);
        }

        String format(
            final int messageLength, final int perRound, final long[][] p50, final long[][] p99, final long floorNs)
        {
            return String.format(Locale.ROOT,
                "| %d | %s | %d | %d | %.1f | %.1f-%.1f | %.1f | %.2f | %.2f | %.3f | %d of %d | %.2f | %s |%n",
                messageLength, MODES[mode], rounds, (long)rounds * perRound, us(medianP50),
                us(quantile(p50[mode], rounds, 0.25)), us(quantile(p50[mode], rounds, 0.75)), us(medianP99),
                medianP50 / quantile(p50[0], rounds, 0.5), medianP99 / quantile(p99[0], rounds, 0.5), pairedRatio,
                within, rounds, us(pairedAddedNs), 0 == mode ? "-" : String.format(Locale.ROOT, "%.2f", us(floorNs)));
        }
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Linear interpolation between the closest ranks of the first {@code count} values.
     */
    private static double quantile(final long[] values, final int count, final double q)
    {
        final long[] sorted = Arrays.copyOf(values, count);
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
