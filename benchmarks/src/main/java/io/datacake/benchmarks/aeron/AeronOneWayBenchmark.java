package io.datacake.benchmarks.aeron;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

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
     * Bare Aeron.
     */
    public static class RawState extends AeronPairState<OneWaySender>
    {
        OneWaySender create()
        {
            return new RawAeronOneWay(driver.aeron(), BenchMedia.endpoints(media)[1], messageLength);
        }
    }

    /**
     * Through the transport SPI over Aeron.
     */
    public static class TransportState extends AeronPairState<OneWaySender>
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
        state.pair.send();
    }

    /**
     * One offer through the Aeron transport.
     *
     * @param state the stream.
     */
    @Benchmark
    public void transport(final TransportState state)
    {
        state.pair.send();
    }
}
