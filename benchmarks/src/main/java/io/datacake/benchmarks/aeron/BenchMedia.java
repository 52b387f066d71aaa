package io.datacake.benchmarks.aeron;

import io.aeron.driver.ThreadingMode;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronDriverSettings;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransportSettings;
import io.datacake.transport.aeron.FreeUdpPorts;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The setup every Aeron benchmark shares, so raw Aeron and the transport run on identical channels, driver and idle
 * strategies: one embedded media driver ({@code ThreadingMode.SHARED}, backoff idle up to 100 us), 1 MiB terms, and
 * application threads idling with {@link #newApplicationIdleStrategy()}.
 */
public final class BenchMedia
{
    /**
     * Spins before an application thread yields: 10 (as the node's default idle strategy), or the
     * {@code datacake.bench.appIdleMaxSpins} system property. When both ends of a ping-pong share a core, a handoff
     * waits for the sender to finish spinning, so latency grows with spins times the cost of one duty cycle: with 100
     * spins the RPC node's longer duty cycle doubled its legs against raw Aeron's.
     */
    public static final int APP_IDLE_MAX_SPINS = Integer.getInteger("datacake.bench.appIdleMaxSpins", 10);
    /**
     * Yields before an application thread parks: 100, or the {@code datacake.bench.appIdleMaxYields} system property
     * (more yields keep a waiting thread hot longer before it parks, at the cost of CPU while idle).
     */
    public static final int APP_IDLE_MAX_YIELDS = Integer.getInteger("datacake.bench.appIdleMaxYields", 100);
    /** Shortest park of an application thread, ns. */
    public static final long APP_IDLE_MIN_PARK_NS = 1_000;
    /** Longest park of an application thread, ns. */
    public static final long APP_IDLE_MAX_PARK_NS = 100_000;

    /**
     * Term length of every benchmark publication, raw and transport alike: Aeron's UDP default (16 MiB), so that the
     * send window (half a term) outlasts a driver thread that the shared machine deschedules for a few ms.
     */
    public static final int TERM_LENGTH = 16 * 1024 * 1024;

    /** Human-readable description of the idle strategies and threading mode, printed with every result. */
    public static final String DESCRIPTION = "driver: embedded, ThreadingMode.SHARED, BackoffIdleStrategy(10, 20, " +
        "1us, 100us); app and node threads: BackoffIdleStrategy(" + APP_IDLE_MAX_SPINS + ", " + APP_IDLE_MAX_YIELDS + ", 1us, 100us); " +
        "term 16 MiB";

    /** How long an invoked driver's publication or image stays connected without hearing from its peer. */
    public static final long INVOKED_LIVENESS_TIMEOUT_MS = 60_000;

    /** Stream ids are never reused within a JVM, so no frame of an earlier round can reach a later one. */
    private static final AtomicInteger NEXT_STREAM_ID = new AtomicInteger(3001);

    private BenchMedia()
    {
    }

    /**
     * Launch the benchmark's media driver.
     *
     * @return the driver, to close at tear-down.
     */
    public static AeronDriver launchDriver()
    {
        return AeronDriver.launch(new AeronDriverSettings().termBufferLength(TERM_LENGTH));
    }

    /**
     * Launch a media driver that runs no thread of its own: the one transport created on it runs the driver's duty
     * cycles inside its polls ({@code ThreadingMode.INVOKER}), on whatever thread polls that transport's node. Its
     * publications and images stay connected {@link #INVOKED_LIVENESS_TIMEOUT_MS} without hearing from their peer,
     * since a benchmark may leave a pair unpolled while it measures others. The client itself must still be polled
     * within the driver timeout (10 s), or Aeron ends it for good.
     *
     * @return the driver, to close at tear-down.
     */
    public static AeronDriver launchInvokedDriver()
    {
        return AeronDriver.launch(new AeronDriverSettings()
            .termBufferLength(TERM_LENGTH)
            .threadingMode(ThreadingMode.INVOKER)
            .publicationConnectionTimeoutMs(INVOKED_LIVENESS_TIMEOUT_MS)
            .imageLivenessTimeoutMs(INVOKED_LIVENESS_TIMEOUT_MS));
    }

    /**
     * Settings of every benchmark transport: defaults, with the benchmark term length.
     *
     * @return new settings.
     */
    public static AeronTransportSettings transportSettings()
    {
        return new AeronTransportSettings().termBufferLength(TERM_LENGTH);
    }

    /**
     * A fresh idle strategy for a ping, pong or drain thread.
     *
     * @return the idle strategy.
     */
    public static IdleStrategy newApplicationIdleStrategy()
    {
        return new BackoffIdleStrategy(
            APP_IDLE_MAX_SPINS, APP_IDLE_MAX_YIELDS, APP_IDLE_MIN_PARK_NS, APP_IDLE_MAX_PARK_NS);
    }

    /**
     * Two endpoints (one per side) on the named media.
     *
     * @param media {@code ipc} or {@code udp}.
     * @return two endpoints: index 0 the pinging side, index 1 the echoing side.
     * @throws IllegalArgumentException for other media.
     */
    public static AeronEndpoint[] endpoints(final String media)
    {
        final int first = NEXT_STREAM_ID.getAndAdd(2);
        switch (media)
        {
            case "ipc":
                return new AeronEndpoint[]{ AeronEndpoint.ipc(first), AeronEndpoint.ipc(first + 1) };
            case "udp":
                final int[] ports = FreeUdpPorts.allocate(InetAddress.getLoopbackAddress(), 2);
                return new AeronEndpoint[]{
                    AeronEndpoint.udp("127.0.0.1", ports[0], first),
                    AeronEndpoint.udp("127.0.0.1", ports[1], first + 1) };
            default:
                throw new IllegalArgumentException("media must be ipc or udp: " + media);
        }
    }
}
