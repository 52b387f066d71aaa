package io.datacake.transport.aeron;

import io.aeron.driver.ThreadingMode;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.membership.MembershipListener;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fifty membership nodes over Aeron UDP on loopback in one JVM form a cluster and stay stable for a minute with no
 * false death, then report what each node costs: Aeron log buffer bytes on disk, heap and direct memory.
 * <p>
 * All nodes share one embedded media driver (threading {@link ThreadingMode#SHARED}, backoff idle strategies that
 * park up to {@value #DRIVER_MAX_PARK_US} µs) and its one Aeron client: fifty drivers would be fifty conductor,
 * sender and receiver loops and fifty client conductors competing for two cores, while one driver serves the same
 * UDP traffic with one thread. Each node still has its own UDP port and stream, so every byte crosses the loopback
 * interface as it would between hosts. Node threads sleep a millisecond when idle.
 * <p>
 * Settings, as system properties: {@code datacake.soak.nodes} (default {@value #DEFAULT_NODES}),
 * {@code datacake.soak.steadyMs} (default {@value #DEFAULT_STEADY_MS}), {@code datacake.soak.termLength} (term
 * buffer length of every publication, default {@value #DEFAULT_TERM_LENGTH}). Run with
 * {@code mvn -B -pl transport-aeron -am verify -Psoak -Dtest=AeronMembershipSoakTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("soak")
class AeronMembershipSoakTest
{
    private static final int DEFAULT_NODES = 50;
    private static final long DEFAULT_STEADY_MS = 60_000;
    private static final int DEFAULT_TERM_LENGTH = 64 * 1024;
    private static final long FORM_LIMIT_MS = 300_000;
    private static final long DRIVER_MAX_PARK_US = 1_000;
    private static final int FIRST_STREAM_ID = 6001;

    @Test
    void fiftyNodesOnUdpFormAClusterAndStayStableForAMinuteWithoutFalseDeath() throws IOException
    {
        final int nodeCount = Integer.getInteger("datacake.soak.nodes", DEFAULT_NODES);
        final long steadyMs = Long.getLong("datacake.soak.steadyMs", DEFAULT_STEADY_MS);
        final int termLength = Integer.getInteger("datacake.soak.termLength", DEFAULT_TERM_LENGTH);
        final Path baseDirectory = Files.createTempDirectory(
            AeronDriverSettings.defaultEmbeddedBaseDirectory(), "datacake-aeron-soak-");
        final AtomicLong deaths = new AtomicLong();
        final List<Node> nodes = new ArrayList<>();
        final List<MembershipComponent> components = new ArrayList<>();
        final Memory before = Memory.measure();
        final AeronDriver driver = AeronDriver.launch(new AeronDriverSettings()
            .embeddedBaseDirectory(baseDirectory)
            .threadingMode(ThreadingMode.SHARED)
            .driverIdleStrategy(() -> new BackoffIdleStrategy(
                10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(DRIVER_MAX_PARK_US)))
            .termBufferLength(termLength));
        try
        {
            final long startNs = System.nanoTime();
            final String[] seeds = new String[1];
            for (int i = 0; i < nodeCount; i++)
            {
                final AeronTransport transport = AeronTransport.create(driver,
                    AeronEndpoint.udp("127.0.0.1", FreeUdpPorts.loopback(), FIRST_STREAM_ID + i),
                    new AeronTransportSettings().termBufferLength(termLength));
                if (0 == i)
                {
                    seeds[i] = transport.localEndpoint();
                }
                final MembershipContext ctx = new MembershipContext()
                    .listener(new MembershipListener()
                    {
                        public void onMemberDead(final int nodeId, final long generation)
                        {
                            deaths.incrementAndGet();
                        }
                    });
                if (0 == i)
                {
                    ctx.bootstrap(true);
                }
                else
                {
                    ctx.seeds(seeds[0]);
                }
                final MembershipComponent component = new MembershipComponent(ctx);
                components.add(component);
                nodes.add(Node.launch(new NodeContext()
                    .nodeId(i + 1)
                    .transport(transport)
                    .ownsTransport(true)
                    .idleStrategy(new SleepingMillisIdleStrategy(1))
                    .addComponent(component)));
            }
            final BooleanSupplier allSeeAllLive = () -> components.stream()
                .allMatch((c) -> c.memberCount() == nodeCount && c.liveCount() == nodeCount);
            awaitCondition(allSeeAllLive, FORM_LIMIT_MS, nodeCount + " live members seen by every node");
            final long formedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            final long deathsWhileForming = deaths.get();

            // Observe the steady cluster for the whole period, then report the costs before judging it.
            final long steadyEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(steadyMs);
            while (System.nanoTime() - steadyEndNs < 0)
            {
                TransportTestSupport.sleepMs(100);
            }
            final long steadyDeaths = deaths.get() - deathsWhileForming;
            final boolean stable = allSeeAllLive.getAsBoolean();

            final Memory after = Memory.measure();
            final LogBuffers logs = LogBuffers.under(Path.of(driver.aeronDirectoryName()));
            System.out.printf(
                "AeronMembershipSoakTest nodes=%d termLength=%d formedMs=%d steadyMs=%d deathsWhileForming=%d " +
                "steadyDeaths=%d allLiveAtEnd=%b%n  log buffers: publications=%d images=%d bytes=%d bytesPerNode=%d " +
                "residentBytes=%d residentPerNode=%d%n  heapPerNode=%d directPerNode=%d mappedPerNode=%d threads=%d%n",
                nodeCount, termLength, formedMs, steadyMs, deathsWhileForming, steadyDeaths, stable,
                logs.publications, logs.images, logs.bytes, logs.bytes / nodeCount,
                logs.residentBytes, logs.residentBytes / nodeCount,
                (after.heapBytes - before.heapBytes) / nodeCount,
                (after.directBytes - before.directBytes) / nodeCount,
                (after.mappedBytes - before.mappedBytes) / nodeCount,
                Thread.activeCount());
            assertThat(steadyDeaths).as("false deaths in the steady period").isZero();
            assertThat(stable).as("every node sees every member live").isTrue();
        }
        finally
        {
            nodes.forEach(Node::close);
            driver.close();
            IoUtil.delete(baseDirectory.toFile(), true);
        }
    }

    private static void awaitCondition(final BooleanSupplier condition, final long limitMs, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError(what + ": not within " + limitMs + " ms");
            }
            TransportTestSupport.sleepMs(10);
        }
    }

    /** Heap after a collection, and the JVM's direct and mapped buffer pools. */
    private record Memory(long heapBytes, long directBytes, long mappedBytes)
    {
        static Memory measure()
        {
            System.gc();
            final Runtime runtime = Runtime.getRuntime();
            long direct = 0;
            long mapped = 0;
            for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
            {
                if ("direct".equals(pool.getName()))
                {
                    direct = pool.getMemoryUsed();
                }
                else if ("mapped".equals(pool.getName()))
                {
                    mapped = pool.getMemoryUsed();
                }
            }
            return new Memory(runtime.totalMemory() - runtime.freeMemory(), direct, mapped);
        }
    }

    /**
     * The log buffer files of a driver directory: how many, their total length, and the memory they occupy (the
     * files are sparse: only pages a log has written are backed, so this grows towards the length as terms fill;
     * measured with {@code du}, -1 where that is not available).
     */
    private record LogBuffers(int publications, int images, long bytes, long residentBytes)
    {
        static LogBuffers under(final Path aeronDirectory) throws IOException
        {
            final int publications = count(aeronDirectory.resolve("publications"));
            final int images = count(aeronDirectory.resolve("images"));
            long bytes = 0;
            try (Stream<Path> files = Files.walk(aeronDirectory))
            {
                for (final Path file : files.filter(Files::isRegularFile).filter(LogBuffers::isLog).toList())
                {
                    bytes += Files.size(file);
                }
            }
            return new LogBuffers(publications, images, bytes, residentBytes(aeronDirectory));
        }

        private static boolean isLog(final Path file)
        {
            final String parent = file.getParent().getFileName().toString();
            return "publications".equals(parent) || "images".equals(parent);
        }

        private static long residentBytes(final Path directory)
        {
            try
            {
                final Process du = new ProcessBuilder("du", "-s", "--block-size=1", directory.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
                final String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                return du.waitFor() == 0 ? Long.parseLong(out.split("\\s+")[0]) : -1;
            }
            catch (final IOException | NumberFormatException ex)
            {
                return -1;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        private static int count(final Path directory) throws IOException
        {
            if (!Files.isDirectory(directory))
            {
                return 0;
            }
            try (Stream<Path> files = Files.list(directory))
            {
                return (int)files.count();
            }
        }
    }
}
