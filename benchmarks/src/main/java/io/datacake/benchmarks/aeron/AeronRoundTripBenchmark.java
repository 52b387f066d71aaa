package io.datacake.benchmarks.aeron;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

import java.util.concurrent.TimeUnit;

/**
 * Round trip of one message and its echo: bare Aeron (the baseline) against the {@code AeronTransport}, same
 * channel, message length, driver and idle strategies (see {@link BenchMedia#DESCRIPTION}). Sample mode gives the
 * percentiles; compare {@code p0.50} and {@code p0.99} between the two.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class AeronRoundTripBenchmark
{
    /**
     * A ping-pong that can also be stepped on one thread.
     */
    public abstract static class SteppableBase extends AeronPairState<PingPong>
    {
        /**
         * {@code false}: pinger and echoer on their own threads (what a deployment sees, wake-ups included);
         * {@code true}: both stepped by the benchmark thread (the CPU cost of each layer, no scheduler in the loop).
         */
        @Param({ "false", "true" })
        public boolean stepped;
    }

    /**
     * Bare Aeron.
     */
    public static class RawState extends SteppableBase
    {
        PingPong create()
        {
            return new RawAeronPingPong(driver.aeron(), BenchMedia.endpoints(media), messageLength, stepped);
        }
    }

    /**
     * Through the transport SPI over Aeron.
     */
    public static class TransportState extends SteppableBase
    {
        PingPong create()
        {
            return new TransportPingPong(driver, BenchMedia.endpoints(media), messageLength, stepped);
        }
    }

    /**
     * RPC between two nodes, called on the calling node's thread.
     */
    public static class RpcState extends SteppableBase
    {
        PingPong create()
        {
            return new RpcPingPong(driver, BenchMedia.endpoints(media), messageLength, stepped);
        }
    }

    /**
     * RPC from an application thread through {@code Node.call} and its future.
     */
    public static class NodeCallState extends AeronPairState<PingPong>
    {
        PingPong create()
        {
            return new NodeCallPingPong(driver, BenchMedia.endpoints(media), messageLength);
        }
    }

    /**
     * Baseline: one bare-Aeron round trip.
     *
     * @param state the ping-pong.
     */
    @Benchmark
    public void rawAeron(final RawState state)
    {
        state.pair.roundTrip();
    }

    /**
     * One round trip through the Aeron transport.
     *
     * @param state the ping-pong.
     */
    @Benchmark
    public void transport(final TransportState state)
    {
        state.pair.roundTrip();
    }

    /**
     * One RPC round trip over the Aeron transport, from the calling node's thread.
     *
     * @param state the nodes.
     */
    @Benchmark
    public void rpc(final RpcState state)
    {
        state.pair.roundTrip();
    }

    /**
     * One RPC round trip over the Aeron transport, from an application thread.
     *
     * @param state the nodes.
     */
    @Benchmark
    public void rpcNodeCall(final NodeCallState state)
    {
        state.pair.roundTrip();
    }
}
