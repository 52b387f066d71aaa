package io.datacake.benchmarks.rpc;

import io.datacake.transport.FrameHandler;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * RPC round trip through the in-process transport: the engine's own overhead. Both nodes run in invoker mode and
 * are stepped by the benchmark thread, so no thread hand-off or idle strategy is measured. The call uses the
 * node-thread API with a reused listener (the application-thread {@code Node.call} allocates a future and copies).
 * <p>
 * Baseline in the same run: the same ping-pong of raw frames of the same size through the same in-process
 * transport, with no RPC layer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
public class RpcRoundTripBenchmark
{
    /** Safety bound on duty cycles per round trip of the raw baseline. */
    static final int MAX_CYCLES_PER_CALL = RpcEchoPair.MAX_CYCLES_PER_CALL;

    @Param({"32", "1024"})
    int bodyLength;

    private RpcEchoPair pair;
    private UnsafeBuffer body;

    private InProcessTransport pingTransport;
    private InProcessTransport pongTransport;
    private int pongPeer;
    private int pingPeer;
    private final PongHandler pongHandler = new PongHandler();
    private final PingHandler pingHandler = new PingHandler();

    @Setup(Level.Trial)
    public void setup()
    {
        final InProcessNetwork network = new InProcessNetwork();
        pair = new RpcEchoPair(network, (ctx) -> ctx);
        body = new UnsafeBuffer(new byte[bodyLength]);

        pingTransport = network.newTransport("ping");
        pongTransport = network.newTransport("pong");
        pongPeer = pingTransport.resolvePeer("pong");
        pingPeer = pongTransport.resolvePeer("ping");
        pongHandler.transport = pongTransport;
        pongHandler.peer = pingPeer;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pair.close();
        pingTransport.close();
        pongTransport.close();
    }

    /**
     * One request and its response through the RPC engine.
     *
     * @return the correlation id, so the work is not eliminated.
     */
    @Benchmark
    public long rpcRoundTrip()
    {
        return pair.roundTrip(body, bodyLength);
    }

    /**
     * Baseline: the same frames bounced through the raw transport, no RPC layer.
     *
     * @return the bytes received, so the work is not eliminated.
     */
    @Benchmark
    public int rawTransportPingPong()
    {
        pingHandler.received = 0;
        // Frame size matches an RPC request of this body: 8 header + ~80 fixed + body.
        if (pingTransport.offer(pongPeer, body, 0, bodyLength) <= 0)
        {
            throw new IllegalStateException("ping not sent");
        }
        for (int i = 0; pingHandler.received == 0 && i < MAX_CYCLES_PER_CALL; i++)
        {
            pongTransport.poll(pongHandler, 16);
            pingTransport.poll(pingHandler, 16);
        }
        return pingHandler.received;
    }

    static final class PongHandler implements FrameHandler
    {
        InProcessTransport transport;
        int peer;

        public void onFrame(final DirectBuffer buffer, final int offset, final int length)
        {
            transport.offer(peer, buffer, offset, length);
        }
    }

    static final class PingHandler implements FrameHandler
    {
        int received;

        public void onFrame(final DirectBuffer buffer, final int offset, final int length)
        {
            received = length;
        }
    }
}
