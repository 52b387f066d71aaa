package io.datacake.benchmarks.aeron;

import io.datacake.transport.aeron.AeronDriver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * One-way message throughput (messages accepted per second while a drain thread consumes them): bare Aeron
 * {@code offer} against {@code AeronTransport.offer}, same channel, driver and idle strategies.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class AeronOneWayBenchmark
{
    /**
     * Parameters shared by both sides of the comparison.
     */
    @State(Scope.Benchmark)
    public abstract static class Base
    {
        /** {@code ipc} or {@code udp} (loopback). */
        @Param({ "ipc", "udp" })
        public String media;

        /** Bytes per message. */
        @Param({ "32", "1024" })
        public int messageLength;

        AeronDriver driver;
        Thread driverCloser;
        OneWaySender sender;

        abstract OneWaySender create();

        /**
         * Launch the driver and the stream.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            driver = BenchMedia.launchDriver();
            // JMH skips the tear-down of a failed trial: still delete the driver directory when the fork exits.
            driverCloser = new Thread(driver::close, "aeron-driver-closer");
            Runtime.getRuntime().addShutdownHook(driverCloser);
            sender = create();
        }

        /**
         * Stop everything and delete the driver directory.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            try
            {
                sender.close();
            }
            finally
            {
                driver.close();
                Runtime.getRuntime().removeShutdownHook(driverCloser);
            }
        }
    }

    /**
     * Bare Aeron.
     */
    public static class RawState extends Base
    {
        OneWaySender create()
        {
            return new RawAeronOneWay(driver.aeron(), BenchMedia.endpoints(media)[1], messageLength);
        }
    }

    /**
     * Through the transport SPI over Aeron.
     */
    public static class TransportState extends Base
    {
        OneWaySender create()
        {
            return new TransportOneWay(driver, BenchMedia.endpoints(media), messageLength);
        }
    }

    /**
     * Baseline: one bare-Aeron offer.
     *
     * @param state the stream.
     */
    @Benchmark
    public void rawAeron(final RawState state)
    {
        state.sender.send();
    }

    /**
     * One offer through the Aeron transport.
     *
     * @param state the stream.
     */
    @Benchmark
    public void transport(final TransportState state)
    {
        state.sender.send();
    }
}
