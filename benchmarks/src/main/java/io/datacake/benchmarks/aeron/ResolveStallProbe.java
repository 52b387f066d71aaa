package io.datacake.benchmarks.aeron;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.datacake.transport.FrameHandler;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronDriverSettings;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransport;
import io.datacake.transport.aeron.AeronTransportSettings;
import io.datacake.transport.aeron.FreeUdpPorts;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How long a node-like duty cycle stalls while it resolves unreachable UDP peers. The loop does what a node thread
 * does every cycle (poll the transport, check a 1 ms timer, idle with the node's backoff when there was no work) and
 * records the gap between the starts of consecutive cycles and how late the timer fired, in HdrHistograms. Every
 * {@link #CYCLES_PER_RESOLVE} cycles it resolves one more of {@code peers} endpoints on free loopback ports nobody
 * listens on, as a node answering requesters it has never heard of would.
 * <ul>
 *     <li>{@code blocking}: the synchronous resolve the transport used to have, reproduced here as the baseline: add
 *     the exclusive publication and wait (up to {@link #BLOCKING_CONNECT_WAIT_MS}, sleeping 1 ms) until it is
 *     connected with a send window.</li>
 *     <li>{@code async}: {@link AeronTransport#resolvePeer} as it is now.</li>
 *     <li>{@code control}: the same loop resolving nothing, to show what the machine alone does to the gaps.</li>
 * </ul>
 * Each variant gets its own transport and driver, and its own unreachable ports. Prints a markdown table.
 * <p>
 * Usage: {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks.jar
 * io.datacake.benchmarks.aeron.ResolveStallProbe [peers] [cyclesAfterLastResolve]}
 */
public final class ResolveStallProbe
{
    /** Default number of unreachable peers resolved per variant. */
    public static final int DEFAULT_PEERS = 20;
    /** Default number of duty cycles measured after the last resolve. */
    public static final int DEFAULT_CYCLES_AFTER_LAST_RESOLVE = 100_000;
    /** Duty cycles between two resolves. */
    public static final int CYCLES_PER_RESOLVE = 1_000;
    /** The connect wait of the old synchronous resolve (its default setting). */
    public static final long BLOCKING_CONNECT_WAIT_MS = 1_000;
    /** A gap at least this long counts as a stall a failure detector could notice: 50 ms. */
    public static final long STALL_THRESHOLD_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Period of the timer the loop checks, as a node's timer wheel tick. */
    public static final long TIMER_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final int TERM_LENGTH = 64 * 1024;
    private static final int FRAGMENT_LIMIT = 16;
    private static final int FIRST_STREAM_ID = 7001;
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);

    private ResolveStallProbe()
    {
    }

    /**
     * Run both variants and print their gaps.
     *
     * @param args optional {@code peers cyclesAfterLastResolve}.
     */
    public static void main(final String[] args)
    {
        final int peers = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PEERS;
        final int cyclesAfter = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_CYCLES_AFTER_LAST_RESOLVE;

        System.out.println("# Duty-cycle stall while resolving unreachable UDP peers");
        System.out.printf("peers=%d cyclesPerResolve=%d cyclesAfterLastResolve=%d timerPeriod=1ms " +
            "driver: embedded SHARED; driver and loop idle: BackoffIdleStrategy(10, 20, 1us, 100us)%n%n",
            peers, CYCLES_PER_RESOLVE, cyclesAfter);

        run("async (warm-up, not reported)", Variant.ASYNC, Math.min(peers, 5), CYCLES_PER_RESOLVE);
        final Result blocking = run("blocking", Variant.BLOCKING, peers, cyclesAfter);
        final Result async = run("async", Variant.ASYNC, peers, cyclesAfter);
        final Result control = run("control", Variant.CONTROL, peers, cyclesAfter);

        System.out.println("| variant | duty cycles | resolve calls total ms | longest resolve call us | " +
            "p50 gap us | p99 gap us | p99.99 gap us | max gap us | gaps >= 50 ms | max timer lateness us |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        print(blocking);
        print(async);
        print(control);
        System.out.printf(Locale.ROOT, "%nblocking/async: longest resolve call %.0fx, max gap %.1fx, p99 gap %.1fx, " +
            "max timer lateness %.1fx%n",
            ratio(blocking.longestResolveNs, async.longestResolveNs),
            ratio(blocking.gaps.getMaxValue(), async.gaps.getMaxValue()),
            ratio(blocking.gaps.getValueAtPercentile(99), async.gaps.getValueAtPercentile(99)),
            ratio(blocking.timerLateness.getMaxValue(), async.timerLateness.getMaxValue()));
    }

    private static Result run(final String name, final Variant variant, final int peers, final int cyclesAfter)
    {
        final AeronDriverSettings driverSettings = new AeronDriverSettings().termBufferLength(TERM_LENGTH);
        final int[] ports = FreeUdpPorts.allocate(InetAddress.getLoopbackAddress(), peers + 1);
        final AeronEndpoint local = AeronEndpoint.udp("127.0.0.1", ports[0], FIRST_STREAM_ID);
        final Result result = new Result(name);
        final List<ExclusivePublication> blockingPublications = new ArrayList<>();
        try (AeronTransport transport = AeronTransport.launch(
            driverSettings, local, new AeronTransportSettings().termBufferLength(TERM_LENGTH)))
        {
            final AeronDriver driver = transport.driver();
            final FrameHandler handler = (buffer, offset, length) -> {};
            final IdleStrategy idle = AeronDriverSettings.defaultDriverIdleStrategy();
            final int totalCycles = peers * CYCLES_PER_RESOLVE + cyclesAfter;
            int resolved = 0;
            long nextTimerNs = System.nanoTime() + TIMER_PERIOD_NS;
            long lastCycleStartNs = System.nanoTime();
            for (int cycle = 1; cycle <= totalCycles; cycle++)
            {
                final long startNs = System.nanoTime();
                final long gapNs = startNs - lastCycleStartNs;
                result.gaps.recordValue(Math.min(gapNs, HIGHEST_TRACKABLE_NS));
                result.stalls += gapNs >= STALL_THRESHOLD_NS ? 1 : 0;
                lastCycleStartNs = startNs;

                int work = transport.poll(handler, FRAGMENT_LIMIT);
                if (startNs - nextTimerNs >= 0)
                {
                    result.timerLateness.recordValue(Math.min(startNs - nextTimerNs, HIGHEST_TRACKABLE_NS));
                    nextTimerNs = startNs + TIMER_PERIOD_NS;
                    work++;
                }
                if (Variant.CONTROL != variant && resolved < peers && cycle % CYCLES_PER_RESOLVE == 0)
                {
                    final String endpoint =
                        AeronEndpoint.udp("127.0.0.1", ports[1 + resolved], FIRST_STREAM_ID + 1).toString();
                    final long resolveStartNs = System.nanoTime();
                    if (Variant.BLOCKING == variant)
                    {
                        blockingPublications.add(resolveBlocking(driver.aeron(), endpoint));
                    }
                    else
                    {
                        transport.resolvePeer(endpoint);
                    }
                    final long resolveNs = System.nanoTime() - resolveStartNs;
                    result.resolveNs += resolveNs;
                    result.longestResolveNs = Math.max(result.longestResolveNs, resolveNs);
                    resolved++;
                    work++;
                }
                idle.idle(work);
            }
            result.cycles = totalCycles;
            blockingPublications.forEach(CloseHelper::quietClose);
        }
        return result;
    }

    /**
     * The old synchronous resolve, kept here only as the baseline: add the publication (waits for the driver), then
     * wait until it is connected and has a send window, or the connect wait passed.
     */
    private static ExclusivePublication resolveBlocking(final Aeron aeron, final String endpoint)
    {
        final AeronEndpoint peer = AeronEndpoint.parse(endpoint);
        final ChannelUri uri = ChannelUri.parse(peer.channel());
        uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(TERM_LENGTH));
        final ExclusivePublication publication = aeron.addExclusivePublication(uri.toString(), peer.streamId());
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BLOCKING_CONNECT_WAIT_MS);
        final IdleStrategy idle = new SleepingMillisIdleStrategy(1);
        while (!(publication.isConnected() && publication.availableWindow() > 0) && System.nanoTime() - deadlineNs < 0)
        {
            idle.idle();
        }
        return publication;
    }

    private static void print(final Result result)
    {
        System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %.1f |%n",
            result.name,
            result.cycles,
            result.resolveNs / 1e6,
            result.longestResolveNs / 1e3,
            result.gaps.getValueAtPercentile(50) / 1e3,
            result.gaps.getValueAtPercentile(99) / 1e3,
            result.gaps.getValueAtPercentile(99.99) / 1e3,
            result.gaps.getMaxValue() / 1e3,
            result.stalls,
            result.timerLateness.getMaxValue() / 1e3);
    }

    private static double ratio(final long before, final long after)
    {
        return (double)before / Math.max(1, after);
    }

    private enum Variant
    {
        BLOCKING,
        ASYNC,
        CONTROL
    }

    /**
     * One variant's measurements.
     */
    private static final class Result
    {
        final String name;
        final Histogram gaps = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final Histogram timerLateness = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        long resolveNs;
        long longestResolveNs;
        int cycles;
        int stalls;

        Result(final String name)
        {
            this.name = name;
        }
    }
}
